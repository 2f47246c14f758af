using VirtCca.Cores.Host;
using VirtCca.Cores.Timers;
using VirtCca.Cores.Vcpu;
using VirtCca.Interconnect;
using VirtCca.Kvm.Exits;
using Google.Protobuf;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Realms;
using VirtCca.Kvm.Vcpus;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Host;

/// <summary>
/// The host software of one CPU: the host scheduler's run queue of the vCPU threads placed on this CPU,
/// and KVM's run loop for each — prepare the entry (list registers from the vGIC; for a realm the run
/// page's entry half in memory), take the exit (for a realm: read the exit record from the run page),
/// hand it to <see cref="ExitHandler"/>. A vCPU runs until it blocks, stops, finishes, or — when another
/// vCPU waits for this CPU — its time slice ends.
/// </summary>
public sealed class KvmCpu(IReadOnlyList<(KvmGuest Guest, int Vcpu)> placed, KvmCosts costs, KvmCpuSettings settings) : IHostSoftware
{
    private readonly List<KvmVcpu> _queue = new();
    private readonly Dictionary<int, KvmVcpu> _byComponent = new();
    // One entry, one exit record and its bytes per host CPU, rewritten on every REC_ENTER (nothing keeps them
    // past the call), and made only when the CPU first enters a realm: a VM's host CPU never needs them.
    private RunPageBuffers? _runPage;

    private sealed class RunPageBuffers
    {
        public readonly byte[] Half = new byte[RecExit.Size];
        public readonly RecEntry Entry = new();
        public readonly RecExit Record = new(0);
    }
    private IHostCpu _cpu = null!;
    private ExitHandler _handler = null!;
    private KvmVcpu? _current;       // the vCPU whose context is loaded (entered last)
    private long _sliceToken, _sliceEnds = long.MaxValue;

    public IReadOnlyList<KvmVcpu> Vcpus => _queue;
    public long ContextSwitches { get; private set; }

    public void Start(IHostCpu cpu)
    {
        _cpu = cpu;
        _handler = new ExitHandler(cpu, costs, settings.Gic);
        foreach (var (guest, index) in placed)
        {
            var v = new KvmVcpu(guest, index, cpu.Vcpu(guest.VcpuComponent[index]));
            // A normal VM's vCPUs run from the start (with PSCI boot only vCPU 0); a realm's wait for its creation.
            if (!guest.IsRealm && (!guest.PsciBoot || index == 0)) { v.Power = VcpuPower.On; v.WaitingSince = 0; }
            guest.Vcpus[index] = v;
            _queue.Add(v);
            _byComponent.Add(guest.VcpuComponent[index], v);
        }
    }

    public bool AllFinished
    {
        get { foreach (var v in _queue) if (!v.Finished) return false; return true; }
    }

    /// <summary>The current vCPU if it may go on, else the next runnable one in queue order after it (a context switch), else idle.</summary>
    public HostDecision Next()
    {
        var v = Pick();
        if (v == null) return HostDecision.Idle;
        long switchCycles = 0;
        if (v != _current && _current != null)
        {
            ContextSwitches++;
            switchCycles = costs.ContextSwitch;
            if (_current.Runnable) _current.WaitingSince = _cpu.Now.Picoseconds; // preempted: it waits for the CPU from now
        }
        _current = v;
        if (v.WaitingSince >= 0) { v.WaitPicoseconds += _cpu.Now.Picoseconds - v.WaitingSince; v.WaitingSince = -1; }
        v.Blocked = false;
        v.TimerGeneration++; // the soft timer yields to the hardware timer while the vCPU runs
        v.Entries++;
        v.InGuest = true;
        ArmSlice(v);
        var d = v.Guest.IsRealm ? EnterRealm(v) : EnterVm(v);
        return d with { Cycles = switchCycles };
    }

    private KvmVcpu? Pick()
    {
        bool sliceOver = _cpu.Now.Picoseconds >= _sliceEnds;
        if (_current is { Runnable: true } && !(sliceOver && OthersWaiting(_current))) return _current;
        int start = _current == null ? 0 : _queue.IndexOf(_current) + 1;
        for (int i = 0; i < _queue.Count; i++)
        {
            var v = _queue[(start + i) % _queue.Count];
            if (v.Runnable) return v;
        }
        return null;
    }

    private bool OthersWaiting(KvmVcpu running)
    {
        foreach (var v in _queue) if (v != running && v.Runnable) return true;
        return false;
    }

    /// <summary>With another vCPU waiting, the running one gets one time slice, after which the host's tick takes the CPU back.</summary>
    private void ArmSlice(KvmVcpu v)
    {
        _sliceEnds = long.MaxValue;
        if (OthersWaiting(v)) ArmSliceFromNow();
    }

    private void ArmSliceFromNow()
    {
        _sliceEnds = _cpu.Now.Picoseconds + settings.TimeSlice.Picoseconds;
        _cpu.ScheduleHostEvent(settings.TimeSlice, KvmKinds.SliceEnd, ++_sliceToken);
    }

    private HostDecision EnterVm(KvmVcpu v)
    {
        v.Vgic.FillListRegisters(v.Vcpu.Context.ListRegisters);
        return new HostDecision(HostDecisionKind.EnterVm, v.Vcpu);
    }

    /// <summary>KVM writes the run page's entry half (flags, GPRs, list registers) into memory, then REC_ENTER names it.</summary>
    private HostDecision EnterRealm(KvmVcpu v)
    {
        var entry = (_runPage ??= new()).Entry;
        entry.Clear();
        entry.Flags = RecEntryFlags.TrapWfi | v.EntryFlags;
        v.EntryGprs.CopyTo(entry.Gprs, 0);
        v.Vgic.FillListRegisters(entry.GicLrs);
        if (v.Attack is { } attack && attack.TamperEntry(v, entry)) v.TamperedEntry = attack;
        RealmAbi.WriteEntry(v.Guest.Abi, _cpu.Memory, v.Run, entry);
        v.EntryFlags = RecEntryFlags.None;
        Array.Clear(v.EntryGprs);
        v.InRec = true;
        return new HostDecision(HostDecisionKind.EnterRealm, v.Vcpu, v.Rec, v.Run) { EnterFid = RealmAbi.EnterFid(v.Guest.Abi) };
    }

    public IEnumerable<HostOp> OnExit(ExitInfo exit)
    {
        var v = Of(exit.Vcpu);
        v.InGuest = false;
        IEnumerable<HostOp> handling;
        ulong timerCtl, timerCval;
        switch (exit.Source)
        {
            case ExitSource.VmTrap or ExitSource.VmIrq:
                v.Vgic.Reclaim(v.Vcpu.Context.ListRegisters);
                (timerCtl, timerCval) = (v.Vcpu.VirtualTimer.Control(_cpu.Now), v.Vcpu.VirtualTimer.CompareValue);
                handling = _handler.Handle(v, exit.Source == ExitSource.VmIrq ? new KvmExit(ExitKind.Irq)
                    : ExitDecoder.FromHardware(exit.Esr, exit.Far, exit.Hpfar, v.Vcpu.Context.X));
                break;
            case ExitSource.RecExit:
                v.InRec = false;
                IEnumerable<HostOp> found = [];
                if (v.TamperedEntry is { } accepted) { v.TamperedEntry = null; found = accepted.Accepted(v); } // a finding; the exit is still handled
                var buffers = _runPage ??= new();
                var record = RealmAbi.ReadExit(v.Guest.Abi, _cpu.Memory, v.Run, buffers.Half, buffers.Record);
                v.Vgic.Reclaim(record.GicLrs);
                (timerCtl, timerCval) = (record.CntvCtl, record.CntvCval); // all KVM may know of a realm's timer
                handling = found.Concat(_handler.Handle(v, ExitDecoder.FromRecord(record)));
                break;
            default:
                v.InRec = false;
                // A tampered entry the TMM refused: the attack learns how; KVM enters honestly next time.
                if (v.TamperedEntry is { } refused) { v.TamperedEntry = null; return refused.Refused(v, exit.Status, exit.Error); }
                (timerCtl, timerCval) = (0, 0);
                handling = EnterFailed(v, exit);
                break;
        }
        return AfterHandling(v, handling, timerCtl, timerCval);
    }

    /// <summary>The handler's work, then what follows from where it left the vCPU: stop it, or keep its timer while it sleeps.</summary>
    private IEnumerable<HostOp> AfterHandling(KvmVcpu v, IEnumerable<HostOp> handling, ulong timerCtl, ulong timerCval)
    {
        foreach (var op in handling) yield return op;
        if (v.StopRequested) { foreach (var op in StopNow(v)) yield return op; yield break; }
        if (v.Blocked) ArmSoftTimer(v, timerCtl, timerCval);
        if (v.Attack is { } attack) foreach (var op in attack.AfterExit(_cpu, v)) yield return op;
    }

    /// <summary>KVM emulates the virtual timer of a vCPU that sleeps: a host timer at its compare value wakes it with PPI 27.</summary>
    private void ArmSoftTimer(KvmVcpu v, ulong ctl, ulong cval)
    {
        if (GenericTimer.FiresAt(ctl, cval, settings.CntfrqHz, _cpu.Now) is not { } at) return;
        _cpu.ScheduleHostEvent(at - _cpu.Now, KvmKinds.SoftTimer, (long)v.Guest.VcpuComponent[v.Index] << 16 | (++v.TimerGeneration & 0xFFFF));
    }

    /// <summary>REC_ENTER refused or could not report its exit: after a SYSTEM_OFF that is how a vCPU learns it must stop; anything else is KVM's bug.</summary>
    private static IEnumerable<HostOp> EnterFailed(KvmVcpu v, ExitInfo exit)
    {
        if (RealmAbi.PoweredOff(v.Guest.Abi, exit.Status)) { v.StopRequested = true; return []; }
        throw new SimulationException($"{v}: REC_ENTER returned status 0x{exit.Status.X0:X}: {(exit.Error.Length > 0 ? exit.Error : "no reason given")}");
    }

    public bool Handles(int kind) => KvmKinds.IsKvm(kind);

    public IEnumerable<HostOp> OnEvent(in SimEvent ev)
    {
        switch (ev.Kind)
        {
            case KvmKinds.VirtualIrq:
            {
                var v = ByComponent(ev.Arg >> 16);
                if (v.Vgic.Pend((int)(ev.Arg & 0xFFFF))) MadeRunnable(v);
                return [];
            }
            case KvmKinds.SoftTimer:
            {
                var v = ByComponent(ev.Arg >> 16);
                if ((ev.Arg & 0xFFFF) != (v.TimerGeneration & 0xFFFF) || !v.Blocked) return [];
                if (v.Vgic.Pend(GenericTimer.VirtualPpi)) MadeRunnable(v);
                return [];
            }
            case KvmKinds.StartVcpu:
            {
                var v = ByComponent(ev.Arg);
                if (v.Power is VcpuPower.Stopped) return [];
                v.Power = VcpuPower.On;
                MadeRunnable(v);
                return [];
            }
            case KvmKinds.StopVcpu:
                return Stop(ByComponent(ev.Arg));
            case KvmKinds.ResetVcpu:
            {
                var v = ByComponent(ev.Arg);
                v.Power = VcpuPower.NotStarted;
                v.Reset();
                return [];
            }
            case KvmKinds.VmmRequest:
                return VmmRequest(ev.Source, ev.Arg);
            case KvmKinds.SliceEnd:
                if (ev.Arg == _sliceToken && _cpu.InGuest != null && _current != null && OthersWaiting(_current)) _cpu.Kick();
                return [];
            case KvmKinds.HostSmc:
                return VmmSmc(ev.Source, (HostPhase)ev.Arg, ev.PayloadAs<SmcRequest>());
            default:
                throw new SimulationException($"CPU {_cpu.Cpu}: KVM got event kind 0x{ev.Kind:X}");
        }
    }

    /// <summary>A vCPU may run again: note when it started waiting; if the guest in this CPU will not give it back by itself, take it.</summary>
    private void MadeRunnable(KvmVcpu v)
    {
        if (!v.Runnable || _cpu.InGuest == v.Vcpu) return; // in the guest: the physical kick (if any) makes it take the interrupt
        if (v.WaitingSince < 0) v.WaitingSince = _cpu.Now.Picoseconds;
        if (_cpu.InGuest is not { } running) return;        // the CPU is free or busy in the host: it picks the vCPU up next
        var r = Of(running);
        if (!r.Runnable) _cpu.Kick();                       // a finished guest still holds the CPU
        else if (_sliceEnds == long.MaxValue) ArmSliceFromNow();
    }

    /// <summary>The VMM stops a vCPU: at once when it is out of the guest, after a kick when it is in.</summary>
    private IEnumerable<HostOp> Stop(KvmVcpu v)
    {
        if (v.Power == VcpuPower.Stopped) return [];
        v.StopRequested = true;
        if (_cpu.InGuest == v.Vcpu) { _cpu.Kick(); return []; }
        return StopNow(v);
    }

    /// <summary>Marks the vCPU stopped and tells its VMM (which waits for every vCPU before destroying the guest).</summary>
    private IEnumerable<HostOp> StopNow(KvmVcpu v)
    {
        if (v.Power == VcpuPower.Stopped) yield break;
        v.Power = VcpuPower.Stopped;
        v.StopRequested = false;
        v.Blocked = false;
        v.TimerGeneration++;
        v.StoppedAt = _cpu.Now.Picoseconds;
        if (v.Guest.Vmm >= 0) yield return HostOp.Send(v.Guest.Vmm, KvmKinds.VcpuStopped, v.Guest.VcpuComponent[v.Index]);
    }

    /// <summary>The VMM asked this CPU to create or destroy its guest's realm: KVM's RMI sequence, then the answer.</summary>
    private IEnumerable<HostOp> VmmRequest(int vmm, long arg)
    {
        int guestId = (int)(arg >> 1);
        var guest = placed.Select(p => p.Guest).FirstOrDefault(g => g.Id == guestId)
            ?? throw new SimulationException($"CPU {_cpu.Cpu}: the VMM asked for guest {guestId}, which has no vCPU here");
        var work = (arg & 1) == KvmKinds.Create ? RealmAbi.Create(_cpu, guest) : RealmAbi.Destroy(_cpu, guest);
        foreach (var op in work) yield return op;
        yield return HostOp.Send(vmm, KvmKinds.VmmDone, arg);
    }

    /// <summary>An SMC the VMM asked this CPU to make, answered to the VMM.</summary>
    private IEnumerable<HostOp> VmmSmc(int vmm, HostPhase phase, SmcRequest call)
    {
        yield return HostOp.Smc(new SmcCall(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5), phase);
        var r = _cpu.LastSmc;
        var reply = new SmcReply { Fid = call.Fid, X0 = r.X0, X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, Error = _cpu.LastSmcError };
        yield return HostOp.Send(vmm, KvmKinds.HostSmcDone, 0, reply);
    }

    public bool WantsExit(VcpuActor running)
    {
        var v = Of(running);
        return v.Vgic.HasPending || v.StopRequested || !v.Runnable && OthersWaiting(v) || _cpu.Now.Picoseconds >= _sliceEnds && OthersWaiting(v);
    }

    public void OnVirtualTimer(VcpuActor running) => Of(running).Vgic.Pend(GenericTimer.VirtualPpi);

    private KvmVcpu Of(VcpuActor vcpu) => _byComponent.TryGetValue(vcpu.Identity.Component, out var v) ? v
        : throw new InvalidOperationException($"CPU {_cpu.Cpu} does not host vCPU {vcpu.Identity}");

    private KvmVcpu ByComponent(long component) => _byComponent.TryGetValue((int)component, out var v) ? v
        : throw new SimulationException($"CPU {_cpu.Cpu} got an event for component {component}, which is not a vCPU it hosts");
}

/// <summary>What KVM's per-CPU host needs from the machine: the GIC (for kicks), the counter frequency (timer emulation), the time slice.</summary>
public sealed record KvmCpuSettings(int Gic, long CntfrqHz, SimTime TimeSlice);
