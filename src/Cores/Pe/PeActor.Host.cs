using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// The PE executing host software: steps of work at NS-EL2, SMCs through EL3, messages. Host work that
/// arrives while a guest runs here waits until the guest has left (a guest whose program ended is kicked
/// out first); when no host work is left, the host software decides what the PE does next.
/// </summary>
public sealed partial class PeActor
{
    private readonly Queue<IEnumerable<HostOp>> _hostQueue = new();
    private IEnumerator<HostOp>? _program;
    private HostDecision? _enterAfterSwitch;

    /// <summary>Queues host work; starts it now if the PE is free.</summary>
    private void RunHost(IEnumerable<HostOp> work)
    {
        bool none = work is ICollection<HostOp> { Count: 0 }; // the host only changed its own state (it kicks the guest itself if it must)
        if (!none) _hostQueue.Enqueue(work);
        if (State != PeState.Idle) return;        // it runs when the PE is next at NS-EL2
        if (_guest != null) { if (!none) InterruptGuest(); return; } // a finished guest holds the CPU: out first
        Ledger.IdleUntil(Now.Picoseconds, _host?.AllFinished ?? true);
        ContinueHost();
    }

    /// <summary>At NS-EL2 between host steps: the next step of the running program, the next queued program, or the host's decision.</summary>
    private void ContinueHost()
    {
        Level = PeLevel.NsEl2;
        while (true)
        {
            if (_enterAfterSwitch is { } d) { _enterAfterSwitch = null; Enter(d); return; }
            if (_program == null)
            {
                if (_hostQueue.Count == 0) { Decide(); return; }
                _program = _hostQueue.Dequeue().GetEnumerator();
            }
            if (!_program.MoveNext()) { _program.Dispose(); _program = null; continue; }
            var op = _program.Current;
            switch (op.Kind)
            {
                case HostOpKind.Send:
                    _ctx.Send(op.Target, op.EventKind, op.Arg, op.Payload);
                    continue;
                case HostOpKind.Work:
                    HostWork(op.Cycles, op.Category);
                    return;
                case HostOpKind.Smc:
                    StartSmc(op.Call, op.Phase);
                    return;
            }
        }
    }

    private void HostWork(long cycles, TimeCategory category)
    {
        To(PeState.Host);
        long ps = SimTime.FromCycles(cycles, _s.FrequencyHz).Picoseconds;
        Ledger.Charge(category, ps);
        _ctx.Schedule(new SimTime(ps), PeKinds.HostStep, ++_token);
    }

    /// <summary>No host work left: enter the vCPU the host chose (after its context switch), or idle.</summary>
    private void Decide()
    {
        Ledger.Guest = -1;
        if (_guest != null || _host == null) { To(PeState.Idle); return; }
        var d = _host.Next();
        if (d.Kind == HostDecisionKind.Idle) { To(PeState.Idle); return; }
        Ledger.Guest = d.Vcpu!.Identity.Guest;
        if (d.Cycles > 0) { _enterAfterSwitch = d with { Cycles = 0 }; HostWork(d.Cycles, TimeCategory.Kvm); return; }
        Enter(d);
    }

    /// <summary>KVM executes SMC at NS-EL2: X0..X5 into the register file, EL3 routes it and runs its flow.</summary>
    private void StartSmc(SmcCall call, HostPhase phase)
    {
        var x = Monitor.Live.X;
        (x[0], x[1], x[2], x[3], x[4], x[5]) = (call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5);
        var d = Monitor.Smc();
        _smcPsci = d.Psci;
        _tmmError = "";
        Ledger.Phase = phase;
        Stats.HostSmcs++;
        RunFlow(d.Steps, d.TmmRequest, FlowEnd.SmcDone);
    }

    private PsciResult _smcPsci;

    /// <summary>The SMC returned to NS-EL2: its registers are the result; the firmware's PSCI actions take effect.</summary>
    private void SmcDone()
    {
        var live = Monitor.Live.X;
        LastSmc = new SmcResult(live[0], live[1], live[2], live[3], live[4]);
        LastSmcError = _tmmError;
        Ledger.Phase = HostPhase.Run;
        if (_smcPsci.Action == PsciAction.PowerOffSelf) { To(PeState.Off); return; }
        if (_smcPsci.Action == PsciAction.PowerOnOther && (int)(_smcPsci.TargetMpidr & 0xFF) is var cpu && cpu < _s.PeOfCpu.Count && _s.PeOfCpu[cpu] != _ctx.Self)
            _ctx.Send(_s.PeOfCpu[cpu], PeKinds.PowerOn, (long)_smcPsci.EntryPoint);
        To(PeState.Host);
        ContinueHost();
    }
}
