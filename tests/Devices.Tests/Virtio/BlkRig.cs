using VirtCca.Devices.Block;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Devices.Virtio;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Devices.Virtio.Swiotlb;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>
/// A guest with a virtio-blk device, its backend, an NVMe device, the SMMU and the TZASC over one
/// physical memory: guest(0) —100 ns— backend(1) —100 ns— nvme(2) —100 ns— smmu(3) —50 ns— tzasc(4).
/// A normal VM's memory is IPA + <see cref="NsBase"/>; a realm's protected memory is IPA +
/// <see cref="SecureBase"/> (secure-only at the TZASC) and its shared half (ring, bounce pool) is
/// IPA + <see cref="NsBase"/>. The device's SMMU stream maps what the device may reach: all of a
/// VM, the shared half of a realm.
/// </summary>
internal sealed class BlkRig
{
    public const ulong Ring = 0x1000, Headers = 0x8000, Data = 0x10_0000, Pool = 0x100_0000;
    public const ulong NsBase = 0x4000_0000, SecureBase = 0x8000_0000, Span = 0x200_0000;
    public const int Guest = 0, Backend = 1, Nvme = 2, Smmu = 3, Tzasc = 4, HostPe = 5;
    public const ushort QueueSize = 256;

    public bool Realm { get; init; }
    public SwiotlbSettings Swiotlb { get; init; } = new() { PoolBytes = 1 << 20 };
    public BackendSettings BackendSettings { get; init; } = new();
    public NvmeSettings NvmeSettings { get; init; } = new();
    public VirtioDriverCosts DriverCosts { get; init; } = new();
    /// <summary>An IOVA the host maps, in the device's stage 2, onto the realm's protected page at <see cref="SecureBase"/> + the same offset.</summary>
    public ulong? ProtectedIova { get; init; }
    /// <summary>What the guest does when a request completes (a closed-loop workload submits the next).</summary>
    public Func<DriverCompletion, Func<DriverStep>?>? OnCompletion { get; init; }

    /// <summary>What the device holds before the run.</summary>
    public List<(ulong Sector, byte[] Data)> Media { get; } = new();

    public PhysicalMemory Physical { get; } = new();
    public List<string> Log { get; } = new();
    public BlkDriver Driver { get; private set; } = null!;
    public SwiotlbPool? Pool_ { get; private set; }
    public GuestStub Stub { get; private set; } = null!;
    public BlkBackend BackendActor { get; private set; } = null!;
    public NvmeActor NvmeActor { get; private set; } = null!;
    public TzascActor TzascActor { get; private set; } = null!;
    public IGuestMemory DriverMemory { get; private set; } = null!;

    /// <summary>Buffer i of the driver's data area.</summary>
    public static ulong Buffer(int i) => Data + (ulong)i * 0x2_0000;

    public FactoryModel Build(Action<BlkRig, GuestScript> script)
    {
        var shared = new PagedGuestMemory(Physical, "shared memory");
        IGuestMemory driverMemory;
        if (Realm)
        {
            shared.Map(0, NsBase, Headers);                                  // the ring's pages
            shared.Map(Pool, NsBase + Pool, (ulong)Swiotlb.PoolBytes);
            driverMemory = new PagedGuestMemory(Physical, "protected memory").Map(0, SecureBase, Span);
        }
        else driverMemory = shared.Map(0, NsBase, Span);
        DriverMemory = driverMemory;
        var layout = SplitRingLayout.Contiguous(Ring, QueueSize);
        var queue = new DriverQueue(0, layout, shared, BackendSettings.EventIdx);
        Pool_ = Realm ? new SwiotlbPool(Swiotlb, Pool, driverMemory, shared) : null;
        Driver = new BlkDriver(queue, driverMemory, Headers, DriverCosts, Pool_);
        var gs = new GuestScript { OnPublished = Driver.OnDevicePublished, OnInterrupt = _ => Driver.OnInterrupt(), OnCompletion = OnCompletion };
        script(this, gs);

        var b = new Topology.Builder();
        b.Add("guest"); b.Add("backend"); b.Add("nvme"); b.Add("smmu"); b.Add("tzasc");
        var hop = SimTime.FromNanoseconds(100);
        b.Link(Guest, Backend, hop).Link(Backend, Nvme, hop).Link(Nvme, Smmu, hop).Link(Smmu, Tzasc, SimTime.FromNanoseconds(50));
        if (BackendSettings.HostCpu.Pe != null) { b.Add("host-pe"); b.Link(Backend, HostPe, hop); }
        return new FactoryModel("blk", b.Build(), id => id switch
        {
            Guest => Stub = new GuestStub(Backend, gs, Log),
            Backend => BackendActor = new BlkBackend(BackendSettings, new BackendWiring(Guest, Guest, Intid: 48, Hardware: Nvme), shared, layout),
            Nvme => NewNvme(),
            Smmu => new SmmuActor(Stage2Table(shared), Tzasc, new SmmuCosts()),
            HostPe => new FakeHostPe(),
            _ => TzascActor = new TzascActor(Controller(), Physical, new TzascCosts()),
        });
    }

    private NvmeActor NewNvme()
    {
        NvmeActor = new NvmeActor(NvmeSettings, Smmu);
        foreach (var (sector, data) in Media) NvmeActor.Media.Write(sector * (ulong)NvmeSettings.SectorBytes, data);
        return NvmeActor;
    }

    private StreamTable Stage2Table(PagedGuestMemory shared)
    {
        var table = new StreamTable();
        var ste = new StreamTableEntry(secure: false, StreamMode.Stage2);
        for (ulong ipa = 0; ipa < Pool + (ulong)Swiotlb.PoolBytes; ipa += StreamTable.Page)
            if (shared.Translate(ipa) is { } pa) ste.Stage2[ipa / StreamTable.Page] = pa / StreamTable.Page;
        if (ProtectedIova is { } p) ste.Stage2[p / StreamTable.Page] = (SecureBase + p) / StreamTable.Page;
        table.Configure(NvmeSettings.Stream, ste, bySecureWorld: false);
        return table;
    }

    private static Tzc400 Controller()
    {
        var tzc = new Tzc400();
        tzc.Program(1, new TzascRegion(true, SecureBase, SecureBase + Span, RegionAccess.SecureOnly), secure: true, out _);
        return tzc;
    }

    public static Func<DriverStep> Submit(BlkRig rig, ulong id, BlockOp op, ulong sector, int buffer, uint bytes) =>
        () => rig.Driver.Submit(new BlockRequest(id, op, sector, Buffer(buffer), bytes));
}

/// <summary>A PE that runs host work it is sent, one piece at a time, at 2.6 GHz, and answers when done.</summary>
internal sealed class FakeHostPe : Component
{
    private SimTime _free;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        var start = _free > ctx.Now ? _free : ctx.Now;
        _free = start + SimTime.FromCycles(ev.Arg, 2_600_000_000);
        ctx.Send(ev.Source, DeviceKinds.HostWorkDone, ev.Arg, extraDelay: _free - ctx.Now);
    }
}
