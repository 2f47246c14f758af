using VirtCca.Cores.Host;
using VirtCca.Cores.Pe;
using VirtCca.Cores.Translation;
using VirtCca.Cores.Vcpu;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Host;
using VirtCca.SecureMonitor;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Actor;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// One machine built from a <see cref="MachineSpec"/>, as a kernel model: the GIC, the TZASC in front of
/// the machine's one physical memory, the SMMU for DMA, the TMM (when a guest is a realm), each guest's
/// VMM, devices that DMA through the SMMU, and the PEs with the vCPU threads the host scheduler placed
/// on each (resident: same placement group). Shared parts come first. Every run gets fresh components
/// and fresh shared state (memory, KVM's guest structures).
/// </summary>
public sealed partial class Machine
{
    public const int Gic = 0, Tzasc = 1, Smmu = 2;
    private readonly MachineSpec _spec;
    private readonly MemoryLayout _layout;
    private readonly KvmCosts _kvmCosts;
    private readonly WorldSwitchCosts _worldSwitch;
    private readonly IReadOnlyList<Func<Machine, Component>> _deviceFactories;
    private readonly bool[] _created;
    private readonly (Role Role, int Index, int Guest)[] _roles; // by component id: what to build there

    private enum Role { Gic, Tzasc, Smmu, Tmm, Vmm, Device, Pe, Vcpu, Io, Attacker }
    private RunState? _run;

    public Machine(MachineSpec spec, IReadOnlyList<Func<Machine, Component>>? devices = null, Io.MachineNetwork? network = null)
    {
        if (spec.Guests.Count == 0) throw new ArgumentException("a machine needs at least one guest");
        spec = Io.MachineIo.Prepare(spec);
        foreach (var g in spec.Guests.Where(g => g.IsRealm)) // a VM's RAM is KVM's own: no RMI layout to check
            if ((g.Realm with { Vcpus = g.Vcpus }).Problem() is { } problem) throw new ArgumentException($"guest {g.Name}: {problem}");
        var realms = spec.Guests.Where(g => g.IsRealm).GroupBy(g => g.Configuration).ToList();
        if (realms.Count > 1)
            throw new ArgumentException($"guests {realms[0].First().Name} ({realms[0].Key.Name()}) and {realms[1].First().Name} ({realms[1].Key.Name()}): " +
                "the firmware puts the TMM at S-EL2 or in EL3, not both on one machine");
        _spec = spec;
        _deviceFactories = devices ?? [];
        var platform = spec.Platform;
        Firmware = spec.TmmConfiguration;
        IsNative = spec.Guests.All(g => g.Configuration == PlatformConfiguration.Native);
        var n = platform.Native;
        // Bare metal: the host kernel takes the traps itself, at NS-EL2 as a VHE kernel does; no stage 2 to fault on.
        _worldSwitch = IsNative ? platform.WorldSwitch with { KvmHvcRoundTrip = n.SyscallRoundTrip, GuestTrap = n.ExceptionEntry } : platform.WorldSwitch;
        _kvmCosts = IsNative
            ? platform.Kvm with { HvcRoundTrip = n.SyscallRoundTrip, GuestTrap = n.ExceptionEntry, MmioKernelRoundTrip = n.DeviceAccess, MmioUserRoundTrip = n.DeviceAccess, Stage2Fault = 0 }
            : platform.Kvm with { HvcRoundTrip = platform.WorldSwitch.KvmHvcRoundTrip, GuestTrap = platform.WorldSwitch.GuestTrap };
        _layout = new MemoryLayout(spec);
        Placement = VcpuPlacement.Of(spec);
        int pes = Placement.Pes;

        var b = new Topology.Builder();
        b.Add("gic", 0); b.Add("tzasc", 0); b.Add("smmu", 0);
        TmmId = Firmware.HasTmm() ? b.Add("tmm", 0) : -1;
        var group = Placement.GroupOfGuest(spec);
        VmmIds = spec.Guests.Select((g, i) => b.Add($"vmm-{g.Name}", group[i])).ToArray();
        DeviceIds = _deviceFactories.Select((_, i) => b.Add($"device{i}", 0)).ToArray();
        PeIds = new int[pes];
        VcpuIds = spec.Guests.Select(g => new int[g.Vcpus]).ToArray();
        for (int p = 0; p < pes; p++)
        {
            int peGroup = Placement.OnPe[p].Count > 0 ? group[Placement.OnPe[p][0].Guest] : 0; // an idle PE waits with the shared parts
            PeIds[p] = b.Add($"pe{p}", peGroup);
            foreach (var (g, v) in Placement.OnPe[p]) VcpuIds[g][v] = b.Add($"vcpu-{spec.Guests[g].Name}-{v}", peGroup);
        }
        // Link sets, not pairs: a machine of 16,384 PEs needs one entry per PE, not one per pair.
        var l = platform.Links;
        b.LinkToHub(Gic, PeIds, l.PeGic, name: "pe-gic").LinkToHub(Tzasc, PeIds, l.PeTzasc, name: "pe-tzasc");
        if (TmmId >= 0) b.LinkToHub(TmmId, PeIds, l.PeTmm, name: "pe-tmm");
        b.LinkAll(PeIds, l.PePe, "pe-pe"); // vGIC updates, PSCI, KVM's kicks
        for (int g = 0; g < spec.Guests.Count; g++) // the VMM's thread reaches its guest's PEs as one PE reaches another
            b.LinkToHub(VmmIds[g], Placement.PesOfGuest(g).Select(p => PeIds[p]), l.PePe, name: $"vmm-{spec.Guests[g].Name}");
        b.Link(Smmu, Tzasc, l.SmmuTzasc);
        foreach (var device in DeviceIds) b.Link(device, Smmu, l.DeviceSmmu).Link(device, Gic, l.PeGic);
        AttackerId = AddAttacker(b, l);
        IoParts = new Io.MachineIo(spec, b, PeIds, Placement, Gic, Smmu, network);
        Topology = b.Build();
        _created = new bool[Topology.Count];
        _roles = new (Role, int, int)[Topology.Count];
        _roles[Gic] = (Role.Gic, 0, 0); _roles[Tzasc] = (Role.Tzasc, 0, 0); _roles[Smmu] = (Role.Smmu, 0, 0);
        if (TmmId >= 0) _roles[TmmId] = (Role.Tmm, 0, 0);
        for (int g = 0; g < VmmIds.Length; g++) _roles[VmmIds[g]] = (Role.Vmm, g, 0);
        for (int d = 0; d < DeviceIds.Length; d++) _roles[DeviceIds[d]] = (Role.Device, d, 0);
        for (int p = 0; p < pes; p++) _roles[PeIds[p]] = (Role.Pe, p, 0);
        for (int g = 0; g < VcpuIds.Length; g++)
            for (int v = 0; v < VcpuIds[g].Length; v++) _roles[VcpuIds[g][v]] = (Role.Vcpu, v, g);
        for (int id = 0; id < Topology.Count; id++) if (IoParts.Owns(id)) _roles[id] = (Role.Io, 0, 0);
        if (AttackerId >= 0) _roles[AttackerId] = (Role.Attacker, 0, 0);
        Model = new FactoryModel($"machine-{string.Join("+", spec.Guests.Select(g => g.Configuration.Name()).Distinct())}", Topology, Create);
    }

    public MachineSpec Spec => _spec;
    public PlatformSettings Platform => _spec.Platform;
    /// <summary>Where the firmware put the TMM (baseline: no TMM).</summary>
    public PlatformConfiguration Firmware { get; }
    /// <summary>Bare metal: the guest is the host's own program, its traps the host kernel's (costs from platform.native).</summary>
    public bool IsNative { get; }
    public VcpuPlacement Placement { get; }
    public Topology Topology { get; }
    public FactoryModel Model { get; }
    public int TmmId { get; }
    public int[] VmmIds { get; }
    public int[] DeviceIds { get; }
    public int[] PeIds { get; }
    /// <summary>Component ids of each guest's vCPUs.</summary>
    public int[][] VcpuIds { get; }
    public int SmmuId => Smmu;
    /// <summary>The guests' virtio devices: irqfd, NVMe, bridge, NIC, backends (see <see cref="Io.MachineIo"/>).</summary>
    public Io.MachineIo IoParts { get; }
    /// <summary>The last run's I/O state and components (null when no guest has a device).</summary>
    public Io.MachineIo.IoRun? IoRun => Run.Io;

    /// <summary>What the last run created (the model makes fresh components and state for every run); empty before any (a node that ran none of it).</summary>
    public PeActor[] Pes => Run.Pes;
    public VcpuActor[][] GuestVcpus => Run.Vcpus;
    /// <summary>The vCPUs of every guest, in guest order.</summary>
    public IEnumerable<VcpuActor> Vcpus => Run.Vcpus.SelectMany(v => v).Where(v => v != null);
    public KvmGuest[] Guests => Run.Guests;
    public GuestVmm[] Vmms => Run.Vmms;
    public GicActor? GicActor => Run.GicActor;
    public TzascActor? TzascActor => Run.TzascActor;
    public SmmuActor? SmmuActor => Run.SmmuActor;
    public TmmActor? Tmm => Run.Tmm;
    public Component[] Devices => Run.Devices;
    public PhysicalMemory Memory => Run.Memory;

    private RunState Run => _run ??= new RunState(this);
    public MemoryLayout Layout => _layout;

    private Component Create(int id)
    {
        // A run creates each component once: asking for one again means a new run, with fresh shared state.
        if (_run == null || _created[id]) { Array.Clear(_created); _run = new RunState(this); }
        _created[id] = true;
        return _run.Create(id);
    }

    /// <summary>Everything one run shares between components of this machine.</summary>
    private sealed class RunState
    {
        private readonly Machine _m;
        public readonly PhysicalMemory Memory = new();
        public readonly KvmGuest[] Guests;
        public readonly PeActor[] Pes;
        public readonly VcpuActor[][] Vcpus;
        public readonly GuestVmm[] Vmms;
        public readonly Component[] Devices;
        public GicActor? GicActor;
        public TzascActor? TzascActor;
        public SmmuActor? SmmuActor;
        public TmmActor? Tmm;
        public Kvm.Attacks.HostAttacker? Attacker;
        public readonly Io.MachineIo.IoRun? Io;
        private readonly Rmm? _rmm;
        public Rmm? TmmModel => _rmm;

        public RunState(Machine m)
        {
            _m = m;
            var spec = m._spec;
            Pes = new PeActor[m.PeIds.Length];
            Vcpus = spec.Guests.Select(g => new VcpuActor[g.Vcpus]).ToArray();
            Vmms = new GuestVmm[spec.Guests.Count];
            Devices = new Component[m.DeviceIds.Length];
            Guests = new KvmGuest[spec.Guests.Count];
            for (int g = 0; g < Guests.Length; g++)
            {
                var gs = spec.Guests[g];
                var range = m._layout.Guests[g];
                var guest = new KvmGuest(g, gs.Name, gs.IsRealm, gs.Vcpus,
                    new GuestMemory(range.RamBase, range.RamBytes, range.MetadataBase, range.MetadataBytes) { SharedBase = range.SharedBase, SharedBytes = range.SharedBytes },
                    gs.Realm with { Vcpus = gs.Vcpus, SecondariesRunnable = !gs.PsciBoot, Vmid = (ushort)(g + 1) }, gs.PsciBoot) { Vmm = m.VmmIds[g], Abi = spec.Abi };
                for (int v = 0; v < gs.Vcpus; v++)
                {
                    int p = m.Placement.PeOf[g][v];
                    (guest.VcpuComponent[v], guest.PeOfVcpu[v], guest.CpuOfVcpu[v]) = (m.VcpuIds[g][v], m.PeIds[p], p);
                }
                foreach (ulong page in KernelDevicePages(gs)) guest.Io.Register(page, page + Granule.Size, IoHandler.Kernel);
                Guests[g] = guest;
            }
            if (m.Firmware.HasTmm()) _rmm = new Rmm(m._layout.Rmm, memory: Memory);
            if (spec.Guests.Any(g => g.Devices.Count > 0)) Io = m.IoParts.NewRun(Memory, Guests, m._layout, _rmm, m.PeIds);
        }

        public Component Create(int id)
        {
            var m = _m;
            var platform = m.Platform;
            var (role, i, g) = m._roles[id];
            return role switch
            {
                Role.Gic => GicActor = new GicActor(new Gicv3(m.PeIds.Length), m.PeIds, platform.GicCosts),
                Role.Tzasc => TzascActor = new TzascActor(m._layout.BootTzasc(platform), Memory, platform.TzascCosts),
                Role.Smmu => SmmuActor = new SmmuActor(StreamsOf(platform), Tzasc, platform.SmmuCosts),
                Role.Tmm => Tmm = new TmmActor(_rmm!, TmmCostsOf(platform)),
                Role.Vmm => Vmms[i] = new GuestVmm(Guests[i], Guests[i].PeOfVcpu[0]),
                Role.Device => Devices[i] = m._deviceFactories[i](m),
                Role.Pe => Pes[i] = new PeActor(PeSetupOf(i)),
                Role.Io => Io!.Create(id),
                Role.Attacker => Attacker = m.CreateAttacker(this),
                _ => Vcpus[g][i] = VcpuOf(g, i),
            };
        }

        /// <summary>The SMMU's stream table, with the guests' device streams when the machine has I/O.</summary>
        private StreamTable StreamsOf(PlatformSettings platform)
        {
            var streams = new StreamTable(platform.SmmuStrictInvalidation);
            return Io?.Streams(streams) ?? streams;
        }

        private PeSetup PeSetupOf(int p)
        {
            var m = _m;
            var platform = m.Platform;
            var placed = m.Placement.OnPe[p].Select(x => (Guests[x.Guest], x.Vcpu)).ToArray();
            var settings = new KvmCpuSettings(Gic, platform.CntfrqHz, m._spec.Scheduler.TimeSlice);
            var costs = m._kvmCosts with { ContextSwitch = m._spec.Scheduler.ContextSwitchCycles };
            return new PeSetup
            {
                Cpu = p, Firmware = m.Firmware, FrequencyHz = platform.FrequencyHz, CntfrqHz = platform.CntfrqHz, WorldSwitch = m._worldSwitch,
                Vcpus = placed.Select(x => x.Item1.VcpuComponent[x.Vcpu]).ToArray(),
                Gic = Gic, Tzasc = Tzasc, Tmm = m.TmmId, TmmLinkLatency = platform.Links.PeTmm, PeOfCpu = m.PeIds, Memory = Memory,
                Host = () => new KvmCpu(placed, costs, settings),
            };
        }

        private VcpuActor VcpuOf(int g, int v)
        {
            var m = _m;
            var gs = m._spec.Guests[g];
            var guest = Guests[g];
            var platform = m.Platform;
            var regime = PlatformSettings.RegimeOf(gs.Configuration);
            var timing = new GuestTiming(platform.FrequencyHz, regime, platform.Walk, platform.GuestIrqHandlerCycles + platform.GicVirtualEoiCycles)
            {
                Shape = new WalkShape(gs.Stage1Block, platform.Stage2BlockOf(gs.Configuration)),
                PageTables = platform.PageTables,
            };
            var identity = new VcpuIdentity(m.VcpuIds[g][v], g, v, gs.IsRealm, gs.Name);
            int pe = m.Placement.PeOf[g][v];
            return new VcpuActor(identity, gs.Programs[v], timing, platform.CntfrqHz)
            {
                Layout = gs.IsRealm ? new GuestLayout(guest.UnprotectedIpaBit, guest.Shape.HostCallIpa(v)) : new GuestLayout(),
                Stage2 = gs.IsRealm ? new RealmStage2(_rmm!, guest) : gs.Configuration == PlatformConfiguration.Native ? new NativeMemory(guest.Memory) : guest.Stage2,
                Clock = () => Pes[pe].Now.Picoseconds,
                Io = Io?.Guests[g],
            };
        }
    }

    /// <summary>
    /// The device pages KVM emulates in the kernel for a guest: those its programs access with
    /// <c>in-kernel = true</c> (the vGIC's, an ioeventfd doorbell's); every other device page is the VMM's.
    /// </summary>
    private static IEnumerable<ulong> KernelDevicePages(GuestSpec guest)
    {
        var kernel = new SortedSet<ulong>();
        var user = new SortedSet<ulong>();
        void Walk(IEnumerable<Cores.Workloads.Op> ops)
        {
            foreach (var op in ops)
                switch (op)
                {
                    case Cores.Workloads.Mmio m: (m.InKernel ? kernel : user).Add(Granule.Of(m.Address)); break;
                    case Cores.Workloads.Loop l: Walk(l.Body); break;
                }
        }
        foreach (var program in guest.Programs) Walk(program);
        foreach (ulong page in kernel)
            if (user.Contains(page)) throw new ArgumentException($"guest {guest.Name}: the device page 0x{page:X} is accessed both in-kernel and in user space; one device has one emulator");
        return kernel;
    }

    /// <summary>The TMM's costs from the platform profile (the same numbers the PE's flows expect).</summary>
    public static TmmCosts TmmCostsOf(PlatformSettings p) => new()
    {
        FrequencyHz = p.FrequencyHz,
        CommandBaseCycles = p.WorldSwitch.TmmCommandBase,
        EntryMarshalCycles = p.WorldSwitch.TmmEntryMarshal,
        ExitMarshalCycles = p.WorldSwitch.TmmExitMarshal,
        ExtraCycles = new Dictionary<ulong, long>
        {
            [RmiFid.DataCreate] = p.TmmDataCreate4kCycles - p.WorldSwitch.TmmCommandBase,
            [RmiFid.RttCreate] = p.TmmTableLevelCycles,
            [RmiFid.RttDestroy] = p.TmmTableLevelCycles,
            [RmiFid.RttFold] = p.TmmTableLevelCycles,
            [TmiFid.DataCreate] = p.TmmDataCreate4kCycles - p.WorldSwitch.TmmCommandBase,
            [TmiFid.TttCreate] = p.TmmTableLevelCycles,
        },
        MapRangeBlockCycles = TmmCosts.MapRangeBlock(p.TmmTableLevelCycles),
    };
}

/// <summary>Bare metal: the program's RAM is the machine's, mapped from the start; anything else is a device.</summary>
internal sealed class NativeMemory(GuestMemory memory) : IStage2
{
    public bool TryTranslate(ulong ipa, out ulong pa, out bool secure)
    {
        secure = false;
        if (memory.IsRam(ipa)) { pa = memory.HostPageOf(ipa) + (ipa & (Granule.Size - 1)); return true; }
        pa = 0;
        return false;
    }
}

/// <summary>A realm's stage 2 as the CPU's MMU walks it: the TMM's RTT for the realm KVM created (nothing maps before it exists).</summary>
internal sealed class RealmStage2(Rmm rmm, KvmGuest guest) : IStage2
{
    public bool TryTranslate(ulong ipa, out ulong pa, out bool secure)
    {
        if (guest.Realm is { } realm) return rmm.Translate(realm.Rd, ipa, out pa, out secure);
        (pa, secure) = (0, false);
        return false;
    }
}
