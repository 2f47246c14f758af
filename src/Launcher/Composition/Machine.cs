using VirtCca.Cores.Pe;
using VirtCca.Cores.Platform;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// One machine as a kernel model: the GIC, the TZASC with DRAM, the SMMU in front of it for DMA, the
/// TMM, devices that DMA through the SMMU, and one PE per vCPU with
/// vCPU i pinned to PE i (same placement group, so the PE may drive it directly). Shared parts come
/// first so that consecutive PEs spread over partitions. The TMM comes from the caller, since the
/// PE speaks SMC messages to whatever answers them; so does the host software that creates a realm
/// (<see cref="RealmHost"/>), which lives with KVM.
/// </summary>
public sealed class Machine
{
    public const int Gic = 0, Tzasc = 1, Tmm = 2;

    public Machine(PlatformSettings platform, PlatformConfiguration configuration, IReadOnlyList<IReadOnlyList<Op>> programs,
        Func<Component>? tmm = null, int? pes = null, Func<PeSetup, IExitHandler>? exitHandler = null, RealmHost? realm = null,
        IReadOnlyList<Func<Machine, Component>>? devices = null, IReadOnlyList<(ulong Base, ulong Top)>? secureRegions = null,
        bool psciBoot = false)
    {
        int n = pes ?? programs.Count;
        if (programs.Count > n) throw new ArgumentException($"{programs.Count} vCPUs need as many PEs, not {n}");
        if (configuration.HasTmm() && tmm == null) throw new ArgumentException($"{configuration.Name()} needs a TMM component");
        Platform = platform; Configuration = configuration;
        Pes = new PeActor[n];
        Devices = new Component[devices?.Count ?? 0];
        Vcpus = new VcpuActor[programs.Count];

        var b = new Topology.Builder();
        if (realm != null && realm.Vcpus.Count != programs.Count) throw new ArgumentException($"the realm has {realm.Vcpus.Count} vCPUs, the workload {programs.Count}");
        b.Add("gic", n); b.Add("tzasc", n); b.Add("tmm", n);
        KvmId = realm != null ? b.Add("kvm", n) : -1;
        SmmuId = b.Add("smmu", n);
        var deviceFactories = devices ?? [];
        DeviceIds = new int[deviceFactories.Count];
        for (int i = 0; i < DeviceIds.Length; i++) DeviceIds[i] = b.Add($"device{i}", n);
        PeIds = new int[n];
        VcpuIds = new int[programs.Count];
        for (int i = 0; i < n; i++)
        {
            PeIds[i] = b.Add($"pe{i}", i);
            if (i < programs.Count) VcpuIds[i] = b.Add($"vcpu{i}", i);
        }
        var l = platform.Links;
        for (int i = 0; i < n; i++)
        {
            b.Link(PeIds[i], Gic, l.PeGic).Link(PeIds[i], Tzasc, l.PeTzasc).Link(PeIds[i], Tmm, l.PeTmm);
            for (int j = i + 1; j < n; j++) b.Link(PeIds[i], PeIds[j], l.PePe);
            if (KvmId >= 0) b.Link(KvmId, PeIds[i], l.PePe); // KVM's VMM thread reaches the PEs as one PE reaches another
        }
        b.Link(SmmuId, Tzasc, l.SmmuTzasc);
        foreach (var device in DeviceIds) b.Link(device, SmmuId, l.DeviceSmmu).Link(device, Gic, l.PeGic);
        var topology = b.Build();

        var timing = new GuestTiming(platform.FrequencyHz, PlatformSettings.RegimeOf(configuration), platform.Walk,
            platform.GuestIrqHandlerCycles + platform.GicVirtualEoiCycles);
        var setups = Enumerable.Range(0, n).Select(i => new PeSetup
        {
            Cpu = i, Configuration = configuration, FrequencyHz = platform.FrequencyHz, CntfrqHz = platform.CntfrqHz,
            WorldSwitch = platform.WorldSwitch, Kvm = platform.Kvm,
            Vcpu = i < programs.Count ? VcpuIds[i] : -1, Gic = Gic, Tzasc = Tzasc, Tmm = Tmm, TmmLinkLatency = l.PeTmm,
            PeOfVcpu = PeIds.Take(programs.Count).ToArray(), CpuOfVcpu = Enumerable.Range(0, programs.Count).ToArray(), PeOfCpu = PeIds,
            Realm = realm != null && i < programs.Count ? realm.Vcpus[i] : null,
            // A realm's vCPUs wait for KVM to create it; with PSCI boot a secondary also waits for its CPU_ON.
            WaitsForKvm = realm != null || (psciBoot && i > 0),
            RecOfVcpu = realm?.Vcpus.Select(b => b.Rec).ToArray() ?? [],
            KvmHost = KvmId,
        }).ToArray();

        Model = new FactoryModel($"machine-{configuration.Name()}", topology, id =>
        {
            switch (id)
            {
                case Gic: return GicActor = new GicActor(new Gicv3(n), PeIds, platform.GicCosts);
                case Tzasc: return TzascActor = new TzascActor(BootTzasc(platform, secureRegions), new SparseDram(), platform.TzascCosts);
                case Tmm: return TmmComponent = tmm?.Invoke() ?? new NoTmm();
            }
            if (id == KvmId) return Kvm = realm!.Kvm(this);
            if (id == SmmuId) return SmmuActor = new SmmuActor(new StreamTable(platform.SmmuStrictInvalidation), Tzasc, platform.SmmuCosts);
            int d = Array.IndexOf(DeviceIds, id);
            if (d >= 0) return Devices[d] = deviceFactories[d](this);
            int k = Array.IndexOf(PeIds, id);
            if (k >= 0) return Pes[k] = new PeActor(setups[k], exitHandler?.Invoke(setups[k]));
            k = Array.IndexOf(VcpuIds, id);
            return Vcpus[k] = new VcpuActor(k, programs[k], timing);
        });
    }

    public PlatformSettings Platform { get; }
    public PlatformConfiguration Configuration { get; }
    public FactoryModel Model { get; }
    public int[] PeIds { get; }
    /// <summary>The host software creating the realm, or -1 when there is none.</summary>
    public int KvmId { get; }
    public int SmmuId { get; }
    public int[] DeviceIds { get; }
    public int[] VcpuIds { get; }
    /// <summary>The components the last run created (the model makes fresh ones for every run).</summary>
    public PeActor[] Pes { get; }
    public VcpuActor[] Vcpus { get; }
    public GicActor? GicActor { get; private set; }
    public TzascActor? TzascActor { get; private set; }
    public Component? Kvm { get; private set; }
    public Component? TmmComponent { get; private set; }
    public SmmuActor? SmmuActor { get; private set; }
    public Component[] Devices { get; }

    /// <summary>
    /// The TZASC as boot firmware leaves it: secure-only regions 1.. over the given ranges (the TMM's
    /// secure pool), everything else open to both worlds through the background region.
    /// </summary>
    private static Tzc400 BootTzasc(PlatformSettings platform, IReadOnlyList<(ulong Base, ulong Top)>? secureRegions)
    {
        var tzc = new Tzc400(platform.TzascRegions, action: platform.TzascAction);
        var regions = secureRegions ?? [];
        for (int i = 0; i < regions.Count; i++)
            if (!tzc.Program(i + 1, new TzascRegion(true, regions[i].Base, regions[i].Top, RegionAccess.SecureOnly), secure: true, out var error))
                throw new ArgumentException($"secure region {i + 1} [0x{regions[i].Base:X}, 0x{regions[i].Top:X}): {error}");
        return tzc;
    }

    /// <summary>Stands in for the TMM in the baseline, where nothing may reach it.</summary>
    private sealed class NoTmm : Component
    {
        public override void Handle(in SimEvent ev, ISimContext ctx) =>
            throw new InvalidOperationException($"the baseline has no TMM, but component {ev.Source} sent it kind 0x{ev.Kind:X}");
    }
}

/// <summary>A realm on the machine: each vCPU's REC binding, and KVM's component that creates the realm and then starts the vCPUs.</summary>
public sealed record RealmHost(IReadOnlyList<RealmBinding> Vcpus, Func<Machine, Component> Kvm);
