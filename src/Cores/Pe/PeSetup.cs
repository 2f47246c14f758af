using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>How one PE is wired into its machine and what its steps cost.</summary>
public sealed record PeSetup
{
    /// <summary>This PE's CPU index at the GIC (and its MPIDR affinity).</summary>
    public required int Cpu { get; init; }
    /// <summary>Where the machine's firmware puts the TMM (virtcca-sel2 / virtcca-el3), or baseline when there is none: it decides the SMC and world-switch flows.</summary>
    public required PlatformConfiguration Firmware { get; init; }
    public long FrequencyHz { get; init; } = 2_600_000_000;
    public long CntfrqHz { get; init; } = 100_000_000;
    public WorldSwitchCosts WorldSwitch { get; init; } = new();

    /// <summary>Component ids of the vCPUs whose threads the host may run on this PE (resident here).</summary>
    public IReadOnlyList<int> Vcpus { get; init; } = [];
    public int Gic { get; init; } = -1;
    public int Tzasc { get; init; } = -1;
    public int Tmm { get; init; } = -1;
    /// <summary>Latency of the link to the TMM; the PE hides it inside the world-switch legs, which must be at least twice as long.</summary>
    public SimTime TmmLinkLatency { get; init; }
    /// <summary>Component id of the PE of each CPU index (for the firmware's PSCI CPU_ON of host CPUs).</summary>
    public IReadOnlyList<int> PeOfCpu { get; init; } = [];
    /// <summary>The machine's one physical memory.</summary>
    public PhysicalMemory Memory { get; init; } = new();
    /// <summary>The host software of this CPU (KVM's run loop and scheduler); null: a CPU with no host work (tests of the firmware).</summary>
    public Func<IHostSoftware>? Host { get; init; }
}
