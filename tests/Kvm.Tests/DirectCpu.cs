using VirtCca.Cores.Host;
using VirtCca.Cores.Vcpu;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// Host steps run straight against an RMM model, with no machine: SMCs go to <see cref="Rmm.HostSmc"/>,
/// work takes no time, messages are recorded. It lets KVM's code be unit-tested without a PE.
/// </summary>
internal sealed class DirectCpu(Rmm? rmm = null, PhysicalMemory? memory = null) : IHostCpu
{
    public readonly List<string> Log = new();
    public readonly List<(int Target, int Kind, long Arg)> Sent = new();
    public Func<SmcCall, SmcResult>? Answer { get; init; }

    public int Cpu => 0;
    public int Self => 0;
    public SimTime Now { get; set; }
    public SmcResult LastSmc { get; private set; }
    public string LastSmcError { get; private set; } = "";
    public PhysicalMemory Memory { get; } = memory ?? rmm?.Memory ?? new PhysicalMemory();
    public VcpuActor? InGuest { get; set; }
    public int Kicks { get; private set; }
    public void Kick() => Kicks++;
    public void ScheduleHostEvent(SimTime delay, int kind, long arg) => Log.Add($"timer {kind:X} in {delay} arg {arg}");
    public VcpuActor Vcpu(int componentId) => throw new InvalidOperationException("no vCPUs here");

    /// <summary>Runs host steps to the end.</summary>
    public void Run(IEnumerable<HostOp> ops)
    {
        foreach (var op in ops)
            switch (op.Kind)
            {
                case HostOpKind.Smc:
                    var c = op.Call;
                    LastSmc = Answer?.Invoke(c) ?? rmm!.HostSmc(c.Fid, c.X1, c.X2, c.X3, c.X4, c.X5);
                    LastSmcError = rmm?.LastError ?? "";
                    Log.Add($"smc {c.Fid:X} -> {LastSmc.X0:X}");
                    break;
                case HostOpKind.Work: Log.Add($"work {op.Cycles} {op.What}"); break;
                case HostOpKind.Send: Sent.Add((op.Target, op.EventKind, op.Arg)); break;
            }
    }
}
