using Google.Protobuf;
using VirtCca.Cores.Host;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// The PE running guest code: entry (a normal VM's directly, a realm's through REC_ENTER), compute
/// segments, memory accesses through the MMU's stage 2 and the TZASC, and every way the guest leaves —
/// a normal VM's trap goes to KVM at NS-EL2 with the hardware's syndrome, a realm's to the TMM first.
/// </summary>
public sealed partial class PeActor
{
    private long _segmentStart;     // start of the running guest compute segment
    private bool _irqWhileStalled;  // a physical interrupt arrived while the guest waited for memory
    private bool _kickPending;      // a physical interrupt arrived while the vCPU was being entered or resumed
    private ulong _memoryTag;
    private ulong _rec;             // the REC of the realm vCPU in the guest

    /// <summary>Enters the vCPU the host chose: a normal VM's takes its list registers and runs; a realm's goes through REC_ENTER.</summary>
    private void Enter(HostDecision d)
    {
        var v = d.Vcpu!;
        _guest = v;
        Ledger.Guest = v.Identity.Guest;
        if (d.Kind == HostDecisionKind.EnterVm)
        {
            Stats.Entries++;
            v.TakeListRegisters(v.Context.ListRegisters);
            IoInterruptsTaken(v);
            StartGuest();
            return;
        }
        _rec = d.Rec;
        var x = Monitor.Live.X;
        (x[0], x[1], x[2]) = (d.EnterFid, d.Rec, d.Run);
        RunFlow(RecEnterLeg, new SmcRequest { Fid = d.EnterFid, X1 = d.Rec, X2 = d.Run, World = World.NonSecure }, FlowEnd.RecEnter);
    }

    /// <summary>REC_ENTER succeeded: the realm runs with the list registers the TMM loaded, past any access the entry completed.</summary>
    private void RealmEntered(SmcReply reply)
    {
        var v = _guest!;
        Stats.Entries++;
        if (reply.Completion != EntryCompletion.None) RetireAccess(v, sea: reply.Completion == EntryCompletion.Sea);
        Span<ulong> lrs = stackalloc ulong[GuestContext.ListRegisterCount];
        for (int i = 0; i < reply.Lrs.Count && i < lrs.Length; i++) lrs[i] = reply.Lrs[i];
        v.TakeListRegisters(lrs);
        IoInterruptsTaken(v);
        StartGuest();
    }

    /// <summary>The TMM handled a realm's trap itself: the realm goes on with what it computed.</summary>
    private void RealmResumes(SmcReply reply)
    {
        var v = _guest!;
        if (_trapWasAccess) RetireAccess(v, sea: reply.Outcome == "sea");
        else (v.Context.X[0], v.Context.X[1], v.Context.X[2], v.Context.X[3], v.Context.X[4]) = (reply.X0, reply.X1, reply.X2, reply.X3, reply.X4);
        StartGuest();
    }

    /// <summary>A memory access the guest was stopped at is done (emulated, or it took an external abort for it).</summary>
    private static void RetireAccess(VcpuActor v, bool sea)
    {
        if (sea) v.MemoryFaults++;
        v.Complete();
    }

    /// <summary>The guest starts (or goes on) at its exception level, with its virtual timer live on this CPU.</summary>
    private void StartGuest()
    {
        var v = _guest!;
        Level = v.IsRealm ? PeLevel.SEl1 : PeLevel.NsEl1;
        ScheduleTimer(v.VirtualTimer);
        To(PeState.Guest);
        if (_kickPending || HostThreadWaiting) { _kickPending = false; TrapIrq(); return; }
        RunGuest();
    }

    /// <summary>Runs the resident guest from now until it leaves guest mode, waits for memory, or waits for a compute segment to end.</summary>
    private void RunGuest()
    {
        if (State != PeState.Guest) To(PeState.Guest);
        var v = _guest!;
        while (true)
        {
            var a = v.Peek();
            switch (a.Kind)
            {
                case ActivityKind.Compute when a.Picoseconds == 0:
                    v.Progress(0);
                    continue;
                case ActivityKind.Compute:
                    _segmentStart = Now.Picoseconds;
                    _ctx.Schedule(new SimTime(a.Picoseconds), PeKinds.GuestStop, ++_token);
                    return;
                case ActivityKind.Halted:
                    // The program has ended: the vCPU stays in the guest, and the PE idles until the host wants it.
                    Ledger.ChargeUntil(TimeCategory.Guest, Now.Picoseconds);
                    To(PeState.Idle);
                    // An idle guest kernel would WFI: it gives the CPU up at once if the host has other work for it.
                    if (_hostQueue.Count > 0 || (_host?.WantsExit(v) ?? false)) InterruptGuest();
                    return;
            }
            if (!Perform(a.Op!)) return;
        }
    }

    private bool _trapWasAccess;

    /// <summary>Performs a guest operation; false if the guest stopped running (a trap, a memory stall).</summary>
    private bool Perform(Op op)
    {
        var v = _guest!;
        switch (op)
        {
            case IGuestIoOp: return PerformIo(op);
            case ArmTimer t:
                v.VirtualTimer.Arm(v.VirtualTimer.Count(Now) + (ulong)t.Ticks);
                ScheduleTimer(v.VirtualTimer);
                v.Complete();
                return true;
            case WaitInterrupt when v.TakeInterruptCredit():
                v.Complete();
                return true;
            case Touch m:
                Access(m.Address, m.Bytes, m.Write);
                return false;
            case Mmio m:
                // A device register: nothing maps it, so the access traps (a realm's device addresses are unprotected IPAs).
                Fault(m.Address | v.Layout.UnprotectedIpaBit, 4, m.Write, value: 0);
                return false;
            case MapPages m:
                // The guest kernel's page-table update: its own work, and under a shadow mapping the TMM's (see PageTableCosts).
                v.Complete();
                Ledger.ChargeUntil(TimeCategory.Guest, Now.Picoseconds);
                RunFlow(v.Timing.MapSteps(m, Level), null, FlowEnd.GuestResumes);
                return false;
        }
        if (op is not WaitInterrupt) v.Complete(); // the trapping instruction retires once its handler is done
        if (v.IsRealm) TrapToTmm(GuestTraps.ToRealm(op, v, _rec, CpuState(v)));
        else
        {
            var trap = GuestTraps.ToVm(op, v);
            VmTrap(trap.Esr);
        }
        return false;
    }

    /// <summary>A load or store: through the stage 2 and the TZASC when the MMU can translate it, else a stage-2 fault.</summary>
    private void Access(ulong ipa, int bytes, bool write)
    {
        var v = _guest!;
        if (v.Stage2 is { } s2 && s2.TryTranslate(ipa, out var pa, out bool secure))
        {
            To(PeState.GuestStalled);
            var tag = ++_memoryTag;
            if (write)
                _ctx.Send(_s.Tzasc, TzascActor.KindWrite, (long)tag, new MemWrite { Tag = tag, Address = pa, Data = ByteString.CopyFrom(GuestData.Pattern(ipa, bytes)), Secure = secure });
            else
                _ctx.Send(_s.Tzasc, TzascActor.KindRead, (long)tag, new MemRead { Tag = tag, Address = pa, Size = (uint)bytes, Secure = secure });
            return;
        }
        Fault(ipa, Math.Min(bytes, 8), write, GuestData.Word(ipa));
    }

    /// <summary>A data abort the MMU raised: a realm's goes to the TMM, a normal VM's to KVM with the syndrome (the instruction is retried or emulated).</summary>
    private void Fault(ulong ipa, int size, bool write, ulong value)
    {
        var v = _guest!;
        size = size switch { >= 8 => 8, >= 4 => 4, >= 2 => 2, _ => 1 };
        if (v.IsRealm)
        {
            TrapToTmm(new RealmTrap { Rec = _rec, Kind = TrapKind.TrapDataAbort, Address = ipa, Size = (uint)size, Write = write, Value = value, Cpu = CpuState(v) });
            return;
        }
        v.Context.X[0] = write ? value : 0; // SRT = 0: what KVM reads for a write
        VmTrap(GuestTraps.DataAbortEsr(size, write), far: ipa, hpfar: Esr.Hpfar(ipa));
    }

    private void OnMemoryReply(MemReply reply)
    {
        if (State != PeState.GuestStalled || reply.Tag != _memoryTag) throw new InvalidOperationException($"PE {_s.Cpu}: unexpected memory reply {reply.Tag}");
        RetireAccess(_guest!, sea: !reply.Ok); // a refused access is a synchronous external abort the guest survives
        To(PeState.Guest);
        if (_irqWhileStalled) { _irqWhileStalled = false; TrapIrq(); }
        else RunGuest();
    }

    /// <summary>Interrupts the guest in this CPU (a physical IRQ): now if it runs or has halted, when it next runs if it is being entered.</summary>
    private void InterruptGuest()
    {
        if (_guest == null) return;
        switch (State)
        {
            case PeState.Guest:
                _guest.Progress(Now.Picoseconds - _segmentStart);
                _token++;
                TrapIrq();
                break;
            case PeState.GuestStalled: _irqWhileStalled = true; break;
            case PeState.Idle: // a guest whose program ended
                Ledger.IdleUntil(Now.Picoseconds, _host?.AllFinished ?? true);
                TrapIrq();
                break;
            default: _kickPending = true; break;
        }
    }

    /// <summary>The guest in this CPU takes a physical IRQ: a normal VM's goes to KVM, a realm's to the TMM (which exits the REC).</summary>
    private void TrapIrq()
    {
        Stats.LastIrqExit = Now;
        var v = _guest!;
        if (v.IsRealm) TrapToTmm(new RealmTrap { Rec = _rec, Kind = TrapKind.TrapIrq, Cpu = CpuState(v) });
        else
        {
            Ledger.ChargeUntil(TimeCategory.Guest, Now.Picoseconds);
            _exit = new ExitInfo(v, ExitSource.VmIrq);
            Stats.VmExits++;
            LeaveGuest();
            RunFlow(VmTrapLeg, null, FlowEnd.HostHasExit);
        }
    }

    /// <summary>A normal VM's trap to EL2: the syndrome goes to KVM; the guest is out.</summary>
    private void VmTrap(ulong esr, ulong far = 0, ulong hpfar = 0)
    {
        var v = _guest!;
        Ledger.ChargeUntil(TimeCategory.Guest, Now.Picoseconds);
        _exit = new ExitInfo(v, ExitSource.VmTrap, esr, far, hpfar);
        Stats.VmExits++;
        LeaveGuest();
        RunFlow(VmTrapLeg, null, FlowEnd.HostHasExit);
    }

    /// <summary>A realm's trap: to the TMM first (the trap leg), which resumes the realm or returns REC_ENTER.</summary>
    private void TrapToTmm(IMessage request)
    {
        Ledger.ChargeUntil(TimeCategory.Guest, Now.Picoseconds);
        Stats.RealmTraps++;
        _trapWasAccess = request is RealmTrap { Kind: TrapKind.TrapDataAbort };
        if (request is SmcRequest { Fid: >= RsiFid.Version and <= RsiFid.HostCall }) Stats.RsiCalls++;
        RunFlow(RealmTrapLeg, request, FlowEnd.RealmTrap);
    }

    /// <summary>The vCPU is out of the guest: its timer is KVM's to emulate until it enters again.</summary>
    private void LeaveGuest()
    {
        _guest = null;
        _kickPending = false;
        _irqWhileStalled = false;
        CancelVirtualTimer();
    }

    private RealmCpu CpuState(VcpuActor v)
    {
        var cpu = new RealmCpu { CntvCtl = v.VirtualTimer.Control(Now), CntvCval = v.VirtualTimer.CompareValue };
        cpu.Lrs.AddRange(v.Context.ListRegisters);
        return cpu;
    }
}
