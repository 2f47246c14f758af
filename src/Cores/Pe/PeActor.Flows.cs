using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>The PE's flows: named steps in order, the TMM's steps reached by message.</summary>
public sealed partial class PeActor
{
    /// <summary>What the PE does when a flow ends.</summary>
    private enum After { ResumeGuest, KvmHandles, KvmDone, HostSmcDone }

    /// <summary>Whose registers the TMM's answer goes to.</summary>
    private enum TmmPurpose { None, HostRmi, RecEnter, RealmTrap }

    private IReadOnlyList<Step> _flow = [];
    private int _flowNext;
    private After _after;
    private int _tmmKind;
    private byte[]? _tmmData;
    private TmmPurpose _purpose;
    private bool _waitingTmm;
    /// <summary>SMCs KVM makes on this PE: for host software elsewhere (answered to <c>From</c>), or KVM's own follow-ups here (<c>Then</c> runs on the answer).</summary>
    private readonly Queue<HostCall> _hostCalls = new();
    private (HostCall Call, PsciResult Psci) _hostCall;

    private readonly record struct HostCall(int From, SmcRequest Call, Action<ISimContext, SmcReply>? Then = null);
    private string _hostCallError = "";
    private readonly Step[] _kvmStep = new Step[1];
    private IReadOnlyList<Step>? _exitLeg, _entryLeg;

    // A PE's flows never change, so it builds each once rather than once per exit.
    private IReadOnlyList<Step> ExitLeg => _exitLeg ??= WorldSwitch.GuestExitLeg(_s.Configuration, _s.WorldSwitch);
    private IReadOnlyList<Step> EntryLeg => _entryLeg ??= WorldSwitch.GuestEntryLeg(_s.Configuration, _s.WorldSwitch);

    private void RunFlow(ISimContext ctx, IReadOnlyList<Step> steps, int tmmKind, byte[]? tmmData, TmmPurpose purpose, After after)
    {
        if (Ledger.Cursor != ctx.Now.Picoseconds) throw new InvalidOperationException($"PE {_s.Cpu}: a flow starts at {ctx.Now} with {Ledger.Cursor} ps accounted for");
        Mode = PeMode.Flow;
        _flow = steps; _flowNext = 0; _after = after;
        _tmmKind = tmmKind; _tmmData = tmmData; _purpose = purpose;
        AdvanceFlow(ctx);
    }

    /// <summary>
    /// Charges the local steps up to the next TMM step (or the end) and waits for them. A TMM step is
    /// a message round trip: the request leaves at the start of the local steps before it, 2 × the
    /// link latency early, so that the answer lands exactly when the TMM's work ends on this PE's
    /// clock; the TMM's share is whatever the answer's arrival says.
    /// </summary>
    private void AdvanceFlow(ISimContext ctx)
    {
        while (true)
        {
            if (_flowNext == _flow.Count) { FlowDone(ctx); return; }
            long ps = 0;
            int j = _flowNext;
            for (; j < _flow.Count && !_flow[j].ByTmm; j++)
            {
                var step = _flow[j];
                Level = step.Level;
                Monitor.Apply(step.Switch);
                long stepPs = step.Picoseconds(_s.FrequencyHz);
                Ledger.Charge(step.Category, stepPs);
                ps += stepPs;
            }
            if (j < _flow.Count)
            {
                long early = ps - 2 * _s.TmmLinkLatency.Picoseconds;
                ctx.Send(_s.Tmm, _tmmKind, _s.Cpu, _tmmData, new SimTime(early));
                Level = _flow[j].Level;
                _flowNext = j + 1;
                _waitingTmm = true;
                return;
            }
            _flowNext = j;
            if (ps > 0) { ctx.Schedule(new SimTime(ps), PeKinds.FlowStep, ++_token); return; }
        }
    }

    private void OnTmmReply(ISimContext ctx, SmcReply reply)
    {
        if (!_waitingTmm) throw new InvalidOperationException($"PE {_s.Cpu}: an answer from the TMM nobody asked for ({reply.Fid:X})");
        _waitingTmm = false;
        Ledger.ChargeUntil(_flow[_flowNext - 1].Category, ctx.Now.Picoseconds);
        switch (_purpose)
        {
            case TmmPurpose.HostRmi: Monitor.TmmAnswered(reply); _hostCallError = reply.Error; break; // reaches X0..X4 when NS is restored
            case TmmPurpose.RecEnter: CheckRecEntered(reply); break;
            case TmmPurpose.RealmTrap: OnRealmTrapAnswer(reply); break;
        }
        AdvanceFlow(ctx);
    }

    private void FlowDone(ISimContext ctx)
    {
        switch (_after)
        {
            case After.ResumeGuest:
                Stats.Entries++;
                if (!_s.Configuration.HasTmm()) _vcpu!.InjectPending(); // a realm's come with REC_ENTER instead
                else if (_vcpu!.HasPending) { GuestIrq(ctx); break; } // kicked while entering: the IRQ is taken at once
                if (_stopRequested) { GuestIrq(ctx); break; }
                RunGuest(ctx);
                break;
            case After.KvmHandles:
                _outcome = _handler.Handle(_exit, _vcpu!);
                _kvmStep[0] = WorldSwitch.KvmHandling(_outcome.Cycles);
                RunFlow(ctx, _kvmStep, 0, null, TmmPurpose.None, After.KvmDone);
                break;
            case After.KvmDone:
                if (_outcome.Ipi is { } ipi) SendVirtualIrq(ctx, ipi.Vcpu, ipi.Intid);
                if (_outcome.CpuOn is { } target) CompletePsci(ctx, target, start: true);
                if (_outcome.AffinityOf is { } asked) CompletePsci(ctx, asked, start: false);
                if (_outcome.PowerOff) _awaitingKvm = true; // CPU_OFF: it waits for another vCPU's CPU_ON
                if (_outcome.Ripas is { } ripas) ApplyRipasChange(ctx, ripas.Base, ripas.Top);
                if (_outcome.SystemOff) PowerOffMachine(ctx);
                NextHostWork(ctx);
                break;
            case After.HostSmcDone:
                var ((from, call, then), psci) = _hostCall;
                var live = Monitor.Live.X;
                var reply = new SmcReply { Fid = call.Fid, X0 = live[0], X1 = live[1], X2 = live[2], X3 = live[3], X4 = live[4], Error = _hostCallError };
                _hostCallError = "";
                if (then != null) then(ctx, reply);
                else if (from != ctx.Self) ctx.Send(from, PeKinds.HostSmcDone, 0, reply.Encode());
                if (psci.Action == PsciAction.PowerOffSelf) { Mode = PeMode.Off; return; }
                if (psci.Action == PsciAction.PowerOnOther && (int)(psci.TargetMpidr & 0xFF) is var cpu && cpu < _s.PeOfCpu.Count && _s.PeOfCpu[cpu] != ctx.Self)
                    ctx.Send(_s.PeOfCpu[cpu], PeKinds.PowerOn, (long)psci.EntryPoint);
                NextHostWork(ctx);
                break;
        }
    }

    /// <summary>The host is at NS-EL2: queued SMCs first, then back into the guest, or block/idle.</summary>
    private void NextHostWork(ISimContext ctx)
    {
        Level = PeLevel.NsEl2;
        if (_hostCalls.Count > 0) { StartHostSmc(ctx); return; }
        if (_stopRequested) { StopOrKick(ctx); return; }
        if (_vcpu == null || _halted || _awaitingKvm || _stopped) { Mode = PeMode.Idle; return; }
        if (_outcome.Block && !_vcpu.HasPending) { Mode = PeMode.Blocked; return; }
        Enter(ctx);
    }

    /// <summary>KVM (re-)enters the guest: REC_ENTER through EL3 and the TMM in a realm, straight in otherwise.</summary>
    private void Enter(ISimContext ctx)
    {
        _outcome = default;
        byte[]? data = _s.Configuration.HasTmm() ? RecEnterRequest() : null;
        RunFlow(ctx, EntryLeg, SmcKinds.Request, data, TmmPurpose.RecEnter, After.ResumeGuest);
    }

    /// <summary>A normal VM's exit: straight to KVM at NS-EL2.</summary>
    private void TakeExit(ISimContext ctx, GuestExit exit)
    {
        Ledger.ChargeUntil(TimeCategory.Guest, ctx.Now.Picoseconds);
        _exit = exit;
        Stats.Exits[(int)exit.Reason]++;
        RunFlow(ctx, ExitLeg, 0, null, TmmPurpose.None, After.KvmHandles);
    }

    private void QueueHostSmc(ISimContext ctx, int from, SmcRequest call)
    {
        _hostCalls.Enqueue(new HostCall(from, call));
        if (Mode is PeMode.Idle or PeMode.Blocked)
        {
            Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
            StartHostSmc(ctx);
        }
    }

    /// <summary>KVM executes SMC at NS-EL2: X0..X5 into the register file, EL3 routes it.</summary>
    private void StartHostSmc(ISimContext ctx)
    {
        var next = _hostCalls.Dequeue();
        var call = next.Call;
        var x = Monitor.Live.X;
        x[0] = call.Fid; x[1] = call.X1; x[2] = call.X2; x[3] = call.X3; x[4] = call.X4; x[5] = call.X5;
        var d = Monitor.Smc();
        _hostCall = (next, d.Psci);
        d.TmmRequest?.Pages.Add(call.Pages); // the host pages the command reads travel with it (smc.proto)
        Stats.HostSmcs++;
        RunFlow(ctx, d.Steps, SmcKinds.Request, d.TmmRequest?.Encode(), TmmPurpose.HostRmi, After.HostSmcDone);
    }


    /// <summary>Every TMM step must leave room to hide the two link crossings (see <see cref="AdvanceFlow"/>).</summary>
    private void CheckTmmLegs()
    {
        if (!_s.Configuration.HasTmm()) return;
        if (_s.Tmm < 0) throw new SimulationException($"PE {_s.Cpu}: configuration {_s.Configuration.Name()} needs a TMM component");
        var c = _s.WorldSwitch;
        var exitLeg = WorldSwitch.GuestExitLeg(_s.Configuration, c);
        var trapLeg = WorldSwitch.RsiCall(_s.Configuration, c);
        if (trapLeg.Count != TrapLegTmmStep + 1 || !trapLeg[TrapLegTmmStep].ByTmm || !exitLeg[TrapLegTmmStep].ByTmm || trapLeg[0] != exitLeg[0])
            throw new InvalidOperationException("a realm trap must start as the exit leg does: the same trap, then the TMM's step");
        foreach (var flow in new[] { WorldSwitch.RmiCall(_s.Configuration, c), exitLeg, WorldSwitch.GuestEntryLeg(_s.Configuration, c), trapLeg })
        {
            long before = 0;
            foreach (var step in flow)
            {
                if (step.ByTmm && before < 2 * _s.TmmLinkLatency.Picoseconds)
                    throw new SimulationException(
                        $"PE {_s.Cpu}: the steps before '{step.Name}' take {before} ps, less than twice the PE-TMM link latency ({_s.TmmLinkLatency.Picoseconds} ps); shorten the link");
                before = step.ByTmm ? 0 : before + step.Picoseconds(_s.FrequencyHz);
            }
        }
    }
}
