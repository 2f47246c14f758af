using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>How one PE is wired into its machine and what its steps cost.</summary>
public sealed record PeSetup
{
    /// <summary>This PE's CPU index at the GIC (and its MPIDR affinity).</summary>
    public required int Cpu { get; init; }
    public required PlatformConfiguration Configuration { get; init; }
    public long FrequencyHz { get; init; } = 2_600_000_000;
    public long CntfrqHz { get; init; } = 100_000_000;
    public WorldSwitchCosts WorldSwitch { get; init; } = new();
    public KvmCosts Kvm { get; init; } = new();

    /// <summary>Component id of the vCPU resident on this PE, or -1 (a host-only PE).</summary>
    public int Vcpu { get; init; } = -1;
    public int Gic { get; init; } = -1;
    public int Tzasc { get; init; } = -1;
    public int Tmm { get; init; } = -1;
    /// <summary>KVM's component that creates and destroys the realm (told when this PE's vCPU stops), or -1.</summary>
    public int KvmHost { get; init; } = -1;
    /// <summary>Latency of the link to the TMM; the PE hides it inside the world-switch legs, which must be at least twice as long.</summary>
    public SimTime TmmLinkLatency { get; init; }

    /// <summary>For a realm vCPU created by KVM through RMI: its REC and run page. Without it (a TMM stand-in in tests) REC_ENTER names no granules.</summary>
    public RealmBinding? Realm { get; init; }
    /// <summary>The PE enters its vCPU only when KVM says so (<see cref="PeKinds.StartVcpu"/>), e.g. after the realm is activated.</summary>
    public bool WaitsForKvm { get; init; }

    /// <summary>The REC of each vCPU of the realm (for RMI_PSCI_COMPLETE); empty for a normal VM.</summary>
    public IReadOnlyList<ulong> RecOfVcpu { get; init; } = [];

    /// <summary>KVM's vCPU table: the component id of the PE that runs vCPU i.</summary>
    public IReadOnlyList<int> PeOfVcpu { get; init; } = [];
    /// <summary>The GIC CPU index of that PE.</summary>
    public IReadOnlyList<int> CpuOfVcpu { get; init; } = [];
    /// <summary>Component id of the PE of each CPU index (for PSCI CPU_ON).</summary>
    public IReadOnlyList<int> PeOfCpu { get; init; } = [];
}
