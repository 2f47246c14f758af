using VirtCca.Devices.Load;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Network;
using VirtCca.Devices.Virtio;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Devices.Virtio.Swiotlb;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>
/// A guest serving requests over virtio-net: guest(0) —100 ns— backend(1) —200 ns— NIC B(2) —1 µs—
/// switch(3) —1 µs— NIC A(4) —200 ns— load generator(5). The guest (address 2) answers every
/// request frame with a response of the size asked for; interrupts INTID 64 (receive) and 65 (transmit).
/// </summary>
internal sealed class NetGuestRig
{
    public const int Guest = 0, Backend = 1, NicB = 2, Switch = 3, NicA = 4, Client = 5, Intid = 64;
    public const ulong RxRing = 0x1000, TxRing = 0x4000, Buffers = 0x10_0000;

    public LoadSettings Load { get; init; } = new() { Address = 1, Servers = [2], Requests = 1 };
    public VirtioDriverCosts DriverCosts { get; init; } = new();
    public BackendSettings BackendSettings { get; init; } = new();
    /// <summary>A realm: buffers in protected memory (IPA + 0x8000_0000), rings and a 1 MiB bounce pool at 0x100_0000 shared.</summary>
    public bool Realm { get; init; }

    public SwiotlbPool? Pool { get; private set; }

    public NetDriver Driver { get; private set; } = null!;
    public GuestStub Stub { get; private set; } = null!;
    public NetBackend BackendActor { get; private set; } = null!;
    public LoadGeneratorActor LoadGenerator { get; private set; } = null!;
    public List<string> Log { get; } = new();

    public FactoryModel Build()
    {
        var pm = new PhysicalMemory();
        var memory = new PagedGuestMemory(pm, "shared memory").Map(0, 0x4000_0000, Realm ? Buffers : 0x100_0000);
        IGuestMemory driverMemory = memory;
        if (Realm)
        {
            memory.Map(0x100_0000, 0x4100_0000, 1 << 20);
            driverMemory = new PagedGuestMemory(pm, "protected memory").Map(0, 0x8000_0000, 0x100_0000);
            Pool = new SwiotlbPool(new SwiotlbSettings { PoolBytes = 1 << 20 }, 0x100_0000, driverMemory, memory);
        }
        var rx = SplitRingLayout.Contiguous(RxRing, 256);
        var tx = SplitRingLayout.Contiguous(TxRing, 256);
        Driver = new NetDriver(new DriverQueue(0, rx, memory, BackendSettings.EventIdx), new DriverQueue(1, tx, memory, BackendSettings.EventIdx), driverMemory, Buffers, DriverCosts, swiotlb: Pool);
        var script = new GuestScript
        {
            OnPublished = Driver.OnDevicePublished,
            OnInterrupt = intid => intid == Intid ? Driver.OnRxInterrupt() : Driver.OnTxInterrupt(),
            Poll = Driver.Poll,
            OnCompletion = Answer,
        };
        script.Actions.Add((SimTime.Zero, Driver.Start));

        var b = new Topology.Builder();
        foreach (var n in new[] { "guest", "backend", "nic-b", "switch", "nic-a", "client" }) b.Add(n);
        b.Link(Guest, Backend, SimTime.FromNanoseconds(100)).Link(Backend, NicB, SimTime.FromNanoseconds(200))
            .Link(NicB, Switch, NetworkSettings.LinkLatency).Link(Switch, NicA, NetworkSettings.LinkLatency).Link(NicA, Client, SimTime.FromNanoseconds(200));
        return new FactoryModel("virtio-net", b.Build(), id => id switch
        {
            Guest => Stub = new GuestStub(Backend, script, Log),
            Backend => BackendActor = new NetBackend(BackendSettings, new BackendWiring(Guest, Guest, Intid, NicB), memory, rx, tx),
            NicB => new NicActor(new NicSettings { Address = 2 }, Backend, Switch),
            Switch => new SwitchActor(new SwitchSettings(), new Dictionary<int, int> { [1] = NicA, [2] = NicB }),
            NicA => new NicActor(new NicSettings { Address = 1 }, Client, Switch),
            _ => LoadGenerator = new LoadGeneratorActor(Load, NicA),
        });
    }

    /// <summary>The guest's server: a request frame gets a response of the size it asks for.</summary>
    private Func<DriverStep>? Answer(DriverCompletion received)
    {
        var frame = received.Data!;
        if (AppMessage.Decode(frame.AsSpan(Ethernet.HeaderBytes)) is not { Kind: AppMessage.Request } m) return null;
        var response = Ethernet.Frame(Ethernet.Source(frame), 2, new AppMessage(AppMessage.Response, m.Connection, m.Id, 0).Encode((int)m.ResponseBytes));
        return () => Driver.Send(m.Id, response);
    }
}
