using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// The PE's flows: named, costed steps in order; a step the TMM takes is a message round trip. After the
/// TMM's answer the flow goes on as the answer says — the rest of an RMI call's return, the realm running,
/// or the way back to the host with an exit — never by splicing steps into a running flow.
/// </summary>
public sealed partial class PeActor
{
    /// <summary>What happens when a flow's steps are done (or, for a flow that ends with the TMM's step, its answer arrives).</summary>
    private enum FlowEnd
    {
        /// <summary>An SMC from NS-EL2 returned: its result goes to the host software.</summary>
        SmcDone,
        /// <summary>REC_ENTER: the TMM's answer says whether the realm runs.</summary>
        RecEnter,
        /// <summary>A realm's trap: the TMM's answer says whether the realm resumes or REC_ENTER returns.</summary>
        RealmTrap,
        /// <summary>An exit reached NS-EL2: KVM handles it.</summary>
        HostHasExit,
        /// <summary>Work the guest's operation caused without leaving it for KVM (a page-table update): the guest goes on.</summary>
        GuestResumes,
    }

    private IReadOnlyList<Step> _steps = [];
    private int _stepNext;
    private FlowEnd _end;
    private object? _tmmRequest;
    private bool _awaitingTmm;
    private string _tmmError = "";
    private ExitInfo _exit;
    private IReadOnlyList<Step>? _vmTrapLeg, _realmTrapLeg, _recEnterLeg, _toHostLeg;

    // A PE's flows never change, so it builds each once rather than once per exit.
    private IReadOnlyList<Step> VmTrapLeg => _vmTrapLeg ??= WorldSwitch.GuestExitLeg(PlatformConfiguration.Baseline, _s.WorldSwitch);
    private IReadOnlyList<Step> RealmTrapLeg => _realmTrapLeg ??= WorldSwitch.RsiCall(_s.Firmware, _s.WorldSwitch);
    private IReadOnlyList<Step> RecEnterLeg => _recEnterLeg ??= WorldSwitch.GuestEntryLeg(_s.Firmware, _s.WorldSwitch);
    private IReadOnlyList<Step> ToHostLeg => _toHostLeg ??= WorldSwitch.ReturnToHost(_s.Firmware, _s.WorldSwitch);

    private void RunFlow(IReadOnlyList<Step> steps, object? tmmRequest, FlowEnd end)
    {
        if (Ledger.Cursor != Now.Picoseconds) throw new InvalidOperationException($"PE {_s.Cpu}: a flow starts at {Now} with {Ledger.Cursor} ps accounted for");
        To(PeState.Switching);
        _steps = steps; _stepNext = 0; _end = end; _tmmRequest = tmmRequest;
        AdvanceFlow();
    }

    /// <summary>
    /// Charges the local steps up to the next TMM step (or the end) and waits for them. A TMM step is a
    /// message round trip: the request leaves at the start of the local steps before it, 2 × the link
    /// latency early, so that the answer lands exactly when the TMM's work ends on this PE's clock; the
    /// TMM's share is whatever the answer's arrival says.
    /// </summary>
    private void AdvanceFlow()
    {
        while (true)
        {
            if (_stepNext == _steps.Count) { FlowDone(); return; }
            long ps = 0;
            int j = _stepNext;
            for (; j < _steps.Count && !_steps[j].ByTmm; j++)
            {
                var step = _steps[j];
                Level = step.Level;
                Monitor.Apply(step.Switch);
                long stepPs = step.Picoseconds(_s.FrequencyHz);
                Ledger.Charge(step.Category, stepPs);
                ps += stepPs;
            }
            if (j < _steps.Count)
            {
                var request = _tmmRequest ?? throw new InvalidOperationException($"PE {_s.Cpu}: the flow reaches the TMM's step '{_steps[j].Name}' with nothing to send");
                long early = ps - 2 * _s.TmmLinkLatency.Picoseconds;
                int kind = request is RealmTrap ? SmcKinds.RealmTrap : SmcKinds.Request;
                _ctx.Send(_s.Tmm, kind, _s.Cpu, request, new SimTime(early));
                Level = _steps[j].Level;
                _stepNext = j + 1;
                _awaitingTmm = true;
                To(PeState.AwaitingTmm);
                return;
            }
            _stepNext = j;
            if (ps > 0) { _ctx.Schedule(new SimTime(ps), PeKinds.FlowStep, ++_token); return; }
        }
    }

    private void OnTmmReply(SmcReply reply)
    {
        if (!_awaitingTmm) throw new InvalidOperationException($"PE {_s.Cpu}: an answer from the TMM nobody asked for ({reply.Fid:X})");
        _awaitingTmm = false;
        Ledger.ChargeUntil(_steps[_stepNext - 1].Category, Now.Picoseconds);
        To(PeState.Switching);
        switch (_end)
        {
            case FlowEnd.SmcDone:
                Monitor.TmmAnswered(reply); // reaches X0..X4 when the normal world is restored
                _tmmError = reply.Error;
                AdvanceFlow();
                return;
            case FlowEnd.RecEnter when reply.X0 == 0:
                RealmEntered(reply);
                return;
            case FlowEnd.RecEnter:
                ReturnToHost(reply, ExitSource.RecEnterFailed);
                return;
            case FlowEnd.RealmTrap when !reply.RecEnterReturned:
                RealmResumes(reply);
                return;
            case FlowEnd.RealmTrap:
                ReturnToHost(reply, reply.X0 == 0 ? ExitSource.RecExit : ExitSource.RecEnterFailed);
                return;
            default:
                throw new InvalidOperationException($"PE {_s.Cpu}: a TMM answer in a flow that ends with {_end}");
        }
    }

    /// <summary>REC_ENTER returned (with an exit, or refused): back through EL3 to KVM, which sees the status in X0.</summary>
    private void ReturnToHost(SmcReply reply, ExitSource source)
    {
        var v = _guest!;
        LeaveGuest();
        Monitor.TmmAnswered(reply);
        Stats.RealmExits += source == ExitSource.RecExit ? 1 : 0;
        _exit = new ExitInfo(v, source, Status: new SmcResult(reply.X0, reply.X1, reply.X2, reply.X3, reply.X4), Error: reply.Error);
        RunFlow(ToHostLeg, null, FlowEnd.HostHasExit);
    }

    private void FlowDone()
    {
        switch (_end)
        {
            case FlowEnd.SmcDone: SmcDone(); break;
            case FlowEnd.HostHasExit:
                To(PeState.Host);
                Level = PeLevel.NsEl2;
                _hostQueue.Enqueue(_host!.OnExit(_exit));
                ContinueHost();
                break;
            case FlowEnd.GuestResumes: StartGuest(); break;
            default: throw new InvalidOperationException($"PE {_s.Cpu}: a flow that ends with {_end} finished without the TMM's answer");
        }
    }

    /// <summary>Every TMM step must leave room to hide the two link crossings (see <see cref="AdvanceFlow"/>).</summary>
    private void CheckTmmLegs()
    {
        if (!_s.Firmware.HasTmm()) return;
        if (_s.Tmm < 0) throw new SimulationException($"PE {_s.Cpu}: firmware {_s.Firmware.Name()} needs a TMM component");
        var c = _s.WorldSwitch;
        foreach (var flow in new[] { WorldSwitch.RmiCall(_s.Firmware, c), RealmTrapLeg, RecEnterLeg })
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
