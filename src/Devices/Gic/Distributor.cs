namespace VirtCca.Devices.Gic;

/// <summary>
/// The GICv3 distributor's SPI state (INTIDs 32–1019): enable, group, priority, pending/active, and
/// GICD_IROUTER — routing by affinity, not by CPU index.
/// </summary>
public sealed class Distributor
{
    public const int SpiBase = 32, MaxIntid = 1020;

    /// <summary>GICD_IROUTER.Interrupt_Routing_Mode: 1 = any participating PE.</summary>
    public const ulong RoutingModeAny = 1UL << 31;

    private readonly InterruptState[] _spis = new InterruptState[MaxIntid - SpiBase];
    private readonly ulong[] _routers = new ulong[MaxIntid - SpiBase]; // reset 0: affinity 0.0.0.0, CPU 0 in the default layout

    public Distributor()
    {
        for (int i = 0; i < _spis.Length; i++) _spis[i] = new InterruptState(PendingSpis);
    }

    /// <summary>How many SPIs are pending.</summary>
    public PendingCount PendingSpis { get; } = new();

    public InterruptState State(int spi) => _spis[Index(spi)];

    /// <summary>GICD_IROUTER&lt;n&gt;: an affinity (Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0]) or <see cref="RoutingModeAny"/>.</summary>
    public ulong Router(int spi) => _routers[Index(spi)];

    public void SetRouter(int spi, ulong value) => _routers[Index(spi)] = value;

    private static int Index(int spi) => spi is >= SpiBase and < MaxIntid ? spi - SpiBase
        : throw new ArgumentOutOfRangeException(nameof(spi), $"INTID {spi} is not an SPI");
}
