using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Kvm.Realms;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A machine to build, as the HOCON readers leave it (typed and checked): the platform, how many PEs,
/// the guests KVM runs on it and how the host schedules their vCPUs. <see cref="MachineModel.Create"/>
/// turns it into a kernel model. Nothing here reads HOCON; nothing in the readers builds components.
/// </summary>
public sealed record MachineSpec
{
    public required PlatformSettings Platform { get; init; }
    /// <summary>PEs to simulate; null: one per vCPU (every vCPU pinned to its own PE).</summary>
    public int? Pes { get; init; }
    public required IReadOnlyList<GuestSpec> Guests { get; init; }
    public SchedulerSpec Scheduler { get; init; } = new();
    /// <summary>How the machine's components are grouped on the kernel's partitions.</summary>
    public MachinePlacement Placement { get; init; } = MachinePlacement.OneGroup;
    /// <summary>4 KiB granules the firmware reserves for the TMM's secure pool (256 MiB by default): it bounds how much realm memory can be populated.</summary>
    public int SecurePoolGranules { get; init; } = 65_536;
    /// <summary>The machine's block device and NIC.</summary>
    public Io.MachineHardware Hardware { get; init; } = new();
    /// <summary>The guests' I/O memory is laid out and their realm shapes include it (<see cref="Io.MachineIo.Prepare"/>).</summary>
    public bool IoPrepared { get; init; }

    /// <summary>How KVM drives the TMM: Arm's RMI v1.0, or virtCCA's TMI as the openEuler kernel calls it.</summary>
    public Tmm.Abi.HostAbi Abi { get; init; } = Tmm.Abi.HostAbi.Rmi;

    /// <summary>What the host does besides running its guests: a malicious KVM's attacks (security experiments).</summary>
    public HostSpec Host { get; init; } = new();

    /// <summary>Every vCPU of every guest, in guest order.</summary>
    public int TotalVcpus => Guests.Sum(g => g.Vcpus);

    /// <summary>A machine with one guest named guest0, one PE per vCPU unless <paramref name="pes"/> says otherwise (tests, benchmarks).</summary>
    public static MachineSpec OneGuest(PlatformConfiguration configuration, IReadOnlyList<IReadOnlyList<Op>> programs, PlatformSettings? platform = null,
        RealmShape? realm = null, bool psciBoot = false, int? pes = null, int securePoolGranules = 65_536) => new()
    {
        Platform = platform ?? new PlatformSettings(),
        Pes = pes,
        SecurePoolGranules = securePoolGranules,
        Guests = [new GuestSpec { Name = "guest0", Configuration = configuration, Programs = programs, PsciBoot = psciBoot, Realm = realm ?? new RealmShape() }],
    };

    /// <summary>
    /// Where the machine's TMM runs: the configuration of its realm guests (they must agree — the
    /// firmware puts the TMM at S-EL2 or in EL3, not both), or baseline when no guest is a realm.
    /// </summary>
    public PlatformConfiguration TmmConfiguration =>
        Guests.Select(g => g.Configuration).Where(c => c.HasTmm()).Distinct().SingleOrDefault(PlatformConfiguration.Baseline);
}

/// <summary>
/// One guest: a normal VM (<see cref="PlatformConfiguration.Baseline"/>) or a realm (virtcca-sel2 /
/// virtcca-el3), its vCPUs' programs (one per vCPU), how it boots, its realm's shape, and optionally
/// the PE each vCPU is pinned to.
/// </summary>
public sealed record GuestSpec
{
    public required string Name { get; init; }
    public required PlatformConfiguration Configuration { get; init; }
    /// <summary>One program per vCPU (templates already expanded by the reader).</summary>
    public required IReadOnlyList<IReadOnlyList<Op>> Programs { get; init; }
    /// <summary>Only vCPU 0 starts; the guest starts the others with PSCI CPU_ON.</summary>
    public bool PsciBoot { get; init; }
    /// <summary>The realm KVM creates (realm guests only).</summary>
    public RealmShape Realm { get; init; } = new();
    /// <summary>PE index of each vCPU, or null: the builder spreads the vCPUs over the PEs.</summary>
    public IReadOnlyList<int>? Pins { get; init; }
    /// <summary>The leaf size of the guest OS's own (stage-1) mappings of its working set: 4 KiB pages, or 2 MiB with transparent huge pages.</summary>
    public Cores.Translation.Block Stage1Block { get; init; } = Cores.Translation.Block.Page4K;
    /// <summary>The guest's virtio devices.</summary>
    public IReadOnlyList<Io.DeviceSpec> Devices { get; init; } = [];
    /// <summary>A realm's SWIOTLB bounce pool in shared memory (Linux's default 64 MiB; virtCCA's swiotlb=N,force).</summary>
    public long SwiotlbBytes { get; init; } = 64L << 20;
    /// <summary>Where the guest's I/O memory is, once laid out (<see cref="Io.MachineIo.Prepare"/>).</summary>
    public Io.GuestIoLayout? IoLayout { get; init; }

    public int Vcpus => Programs.Count;
    public bool IsRealm => Configuration.HasTmm();
}

/// <summary>How KVM's host schedules vCPU threads on a PE that has more than one (costs assumed; see costs.md).</summary>
/// <summary>Placement groups of a machine: everything together, or one group per set of guests that share no PE and no TMM.</summary>
public enum MachinePlacement { OneGroup, ByGuest }

public sealed record SchedulerSpec
{
    /// <summary>A runnable vCPU runs at most this long while another waits for its PE.</summary>
    public SimTime TimeSlice { get; init; } = SimTime.FromMicroseconds(1_000);
    /// <summary>Switching the PE from one vCPU thread to another (the host's context switch), in cycles.</summary>
    public long ContextSwitchCycles { get; init; } = 5_200;
}

/// <summary>
/// The host beyond KVM's honest work (<c>machine.host</c>): attacks on its guests, in order, and the PE
/// whose KVM makes the attacks' SMCs (null: the machine's last PE).
/// </summary>
public sealed record HostSpec
{
    public IReadOnlyList<Kvm.Attacks.AttackSpec> Attacks { get; init; } = [];
    public int? Pe { get; init; }
}
