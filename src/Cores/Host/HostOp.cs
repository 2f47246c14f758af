using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Host;

/// <summary>What one step of host software asks of its PE.</summary>
public enum HostOpKind
{
    /// <summary>Run for <see cref="HostOp.Cycles"/> at NS-EL2, charged to <see cref="HostOp.Category"/>.</summary>
    Work,
    /// <summary>Execute SMC with <see cref="HostOp.Call"/>; the result is <see cref="IHostCpu.LastSmc"/> when the program resumes.</summary>
    Smc,
    /// <summary>Send an event to another component now (a store another CPU sees, an IPI, a doorbell).</summary>
    Send,
}

/// <summary>The registers of an SMC: X0 = function id, X1..X5 = arguments.</summary>
public readonly record struct SmcCall(ulong Fid, ulong X1 = 0, ulong X2 = 0, ulong X3 = 0, ulong X4 = 0, ulong X5 = 0)
{
    public override string ToString() => $"SMC 0x{Fid:X}({X1:X}, {X2:X}, {X3:X}, {X4:X}, {X5:X})";
}

/// <summary>
/// One step of host software (KVM, the VMM) running on a PE. Host software is written as a sequence of
/// these (an iterator): the PE charges each step at its clock, executes SMCs through EL3 with their
/// world-switch costs, and resumes the sequence when a step is over — so the software decides what to
/// do and the hardware decides what it costs and when it happens.
/// </summary>
public readonly record struct HostOp(HostOpKind Kind, long Cycles = 0, string? What = null, SmcCall Call = default,
    int Target = -1, int EventKind = 0, long Arg = 0, object? Payload = null, TimeCategory Category = TimeCategory.Kvm,
    HostPhase Phase = HostPhase.Run)
{
    public static HostOp Work(long cycles, string what, TimeCategory category = TimeCategory.Kvm) => new(HostOpKind.Work, cycles, what, Category: category);
    public static HostOp Smc(SmcCall call, HostPhase phase = HostPhase.Run) => new(HostOpKind.Smc, Call: call, Phase: phase);
    public static HostOp Send(int target, int kind, long arg = 0, object? payload = null) =>
        new(HostOpKind.Send, Target: target, EventKind: kind, Arg: arg, Payload: payload);
}

/// <summary>The part of a guest's life a piece of host work belongs to, for the metrics' phases.</summary>
public enum HostPhase { Run, Creation, Teardown }
