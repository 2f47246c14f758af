using Google.Protobuf;
using VirtCca.Cores.Host;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Vcpus;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Attacks;

/// <summary>What an attack does next; the attacker resumes it when that is over (its answer in the <see cref="AttackContext"/>).</summary>
public abstract record AttackStep
{
    /// <summary>KVM on the attacker's CPU makes this SMC (RMI or TMI); the answer is <see cref="AttackContext.Smc"/>.</summary>
    public sealed record Smc(SmcCall Call) : AttackStep;
    /// <summary>A transaction or command to the TZASC or the SMMU from the normal world; the answer is <see cref="AttackContext.Memory"/>.</summary>
    public sealed record Device(int Target, int Kind, IMessage Message) : AttackStep;
    public sealed record Wait(SimTime Delay) : AttackStep;
    /// <summary>Hooks <paramref name="Attack"/> into the run loop of <paramref name="Vcpu"/> until it reports (or the watch ends).</summary>
    public sealed record InRunLoop(KvmVcpu Vcpu, IRunLoopAttack Attack, SimTime Watch) : AttackStep;
}

/// <summary>Everything an attack may use while it runs, and where it leaves its result.</summary>
public sealed class AttackContext(AttackSpec spec, KvmGuest victim, IReadOnlyList<KvmGuest> guests, IPlatformProbe probe, AttackerWiring wiring)
{
    public AttackSpec Spec { get; } = spec;
    public KvmGuest Victim { get; } = victim;
    public IReadOnlyList<KvmGuest> Guests { get; } = guests;
    public IPlatformProbe Probe { get; } = probe;
    public AttackerWiring Wiring { get; } = wiring;
    public SimTime Now { get; internal set; }
    /// <summary>The answer to the last <see cref="AttackStep.Smc"/>.</summary>
    public SmcReply Smc { get; internal set; } = new();
    /// <summary>The answer to the last <see cref="AttackStep.Device"/> step.</summary>
    public MemReply Memory { get; internal set; } = new();
    /// <summary>Whether the last <see cref="AttackStep.InRunLoop"/> reported before its watch ended.</summary>
    public bool RunLoopReported { get; internal set; }
    public AttackResult? Result { get; set; }

    public bool Tmi => Victim.Abi == HostAbi.Tmi;
    public KvmGuest? Guest(string? name) => Guests.FirstOrDefault(g => g.Name == name);

    /// <summary>A host page of the attacker's own (never given to any guest), for run pages and source pages it makes up.</summary>
    public ulong Scratch(int i) => Wiring.ScratchBase + (ulong)i * Granule.Size;

    /// <summary>Sends the attacker's "done" from inside a run loop (a host step of the CPU the loop runs on).</summary>
    public HostOp Report() => HostOp.Send(Wiring.Self, AttackerKinds.RunLoopDone, 0);

    /// <summary>"RMI_ERROR_REC (index 0): the REC is running on a CPU" — the status of the last SMC, and the TMM's reason.</summary>
    public string Status() => AbiStatus.Describe(Smc.X0, Tmi, Smc.Error);

    public bool Succeeded => Smc.X0 == 0;
}

/// <summary>Where the attacker sits in its machine: itself, the CPU whose KVM makes its SMCs, the TZASC, the SMMU, its scratch memory.</summary>
public sealed record AttackerWiring(int Self, int HostPe, int Tzasc, int Smmu, ulong ScratchBase, int ScratchPages);

/// <summary>The attacker's own events (0x71xx).</summary>
public static class AttackerKinds
{
    /// <summary>Self: the next attack's time has come (arg = attack index).</summary>
    public const int Begin = 0x7100;
    /// <summary>Self: a Wait step is over, or a run-loop hook's watch ended (arg = token).</summary>
    public const int Resume = 0x7101;
    /// <summary>A CPU's KVM → the attacker: the run-loop hook has its answer.</summary>
    public const int RunLoopDone = 0x7102;
}

/// <summary>RMI and TMI status codes as words.</summary>
public static class AbiStatus
{
    private static readonly string[] Rmi = ["RMI_SUCCESS", "RMI_ERROR_INPUT", "RMI_ERROR_REALM", "RMI_ERROR_REC", "RMI_ERROR_RTT"];
    private static readonly string[] Tmi =
    [
        "TMI_SUCCESS", "TMI_ERROR_INPUT", "TMI_ERROR_MEMORY", "TMI_ERROR_ALIAS", "TMI_ERROR_IN_USE", "TMI_ERROR_CVM_STATE", "TMI_ERROR_OWNER",
        "TMI_ERROR_TEC", "TMI_ERROR_TTT_WALK", "TMI_ERROR_TTT_ENTRY", "TMI_ERROR_NOT_SUPPORTED", "TMI_ERROR_INTERNAL", "TMI_ERROR_CVM_POWEROFF",
        "TMI_ERROR_TTT_CREATED",
    ];

    public static string Name(ulong x0, bool tmi)
    {
        if (x0 == ulong.MaxValue) return "SMC_UNKNOWN";
        var names = tmi ? Tmi : Rmi;
        int status = (int)(x0 & 0xFF);
        string name = status < names.Length ? names[status] : $"status {status}";
        return (x0 >> 8 & 0xFF) is var index and > 0 ? $"{name} (index {index})" : name;
    }

    public static string Describe(ulong x0, bool tmi, string reason) => reason.Length > 0 ? $"{Name(x0, tmi)}: {reason}" : Name(x0, tmi);
}
