namespace VirtCca.Devices.Gic;

/// <summary>
/// A PE's affinity as in MPIDR_EL1 (Aff3.Aff2.Aff1.Aff0): the name GICv3 uses for a CPU in
/// GICD_IROUTER and ICC_SGI1R_EL1, rather than a CPU index.
/// </summary>
public readonly record struct Affinity(byte Aff3, byte Aff2, byte Aff1, byte Aff0)
{
    /// <summary>
    /// The default layout, as on Arm server parts whose clusters hold 16 cores: CPU i is
    /// Aff0 = i % 16 inside cluster Aff1 = i / 16 % 256, on die Aff2 = i / 4096 (Aff3 = 0). Sixteen per
    /// cluster is also what one ICC_SGI1R_EL1 TargetList can name, so an SGI to any one cluster is a
    /// single write. The same layout RmiRecMpidr gives a realm's RECs.
    /// </summary>
    public static Affinity ForCpu(int cpu)
    {
        if (cpu is < 0 or >= MaxCpus) throw new ArgumentOutOfRangeException(nameof(cpu), $"the default layout names {MaxCpus} CPUs (Aff2.Aff1.Aff0)");
        return new Affinity(0, (byte)(cpu / 4096), (byte)(cpu / 16 % 256), (byte)(cpu % 16));
    }

    public const int MaxCpus = 16 * 256 * 256;

    /// <summary>From GICD_IROUTER (or MPIDR_EL1, which lays the fields out alike): Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0].</summary>
    public static Affinity FromRouter(ulong value) =>
        new((byte)(value >> 32), (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    /// <summary>The GICD_IROUTER value that routes an SPI to this affinity (Interrupt_Routing_Mode = 0).</summary>
    public ulong ToRouter() => (ulong)Aff3 << 32 | (ulong)Aff2 << 16 | (ulong)Aff1 << 8 | Aff0;

    public override string ToString() => $"{Aff3}.{Aff2}.{Aff1}.{Aff0}";
}
