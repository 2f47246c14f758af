using Google.Protobuf;
using VirtCca.Cores.Timers;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Cores.Pe;

/// <summary>What a PE is doing.</summary>
public enum PeMode { Idle, Guest, MemoryStall, Flow, Blocked, Off }

/// <summary>
/// One physical core. It runs the per-CPU software: KVM's run loop and exit handlers at NS-EL2, the
/// secure monitor's SMC dispatch and world switch at EL3, and its resident vCPU (driven by direct
/// calls within the window). It reaches the TMM, the GIC and memory only by messages, charges every
/// step at its clock, and keeps a <see cref="TimeLedger"/> in which every picosecond is accounted for.
/// </summary>
public sealed partial class PeActor : Component
{
    private readonly PeSetup _s;
    private readonly IExitHandler _handler;
    private readonly long[] _timerGeneration = new long[2];
    private VcpuActor? _vcpu;
    private long _token;          // voids scheduled guest stops and flow steps that no longer apply
    private long _segmentStart;   // start of the running guest compute segment
    private bool _irqWhileStalled;
    private bool _halted;         // the guest program has ended
    private bool _awaitingKvm;    // the vCPU may not run before KVM's StartVcpu
    private ulong _memoryTag;
    private GuestExit _exit;
    private ExitOutcome _outcome;

    public PeActor(PeSetup setup, IExitHandler? handler = null)
    {
        _s = setup;
        _handler = handler ?? new KvmExitHandler(setup.WorldSwitch, setup.Kvm);
        Monitor = new El3Monitor(setup.Configuration, setup.WorldSwitch);
        VirtualTimer = new GenericTimer(TimerKind.Virtual, setup.CntfrqHz);
        PhysicalTimer = new GenericTimer(TimerKind.Physical, setup.CntfrqHz);
    }

    public PeSetup Setup => _s;
    public El3Monitor Monitor { get; }
    public TimeLedger Ledger { get; } = new();
    public PeStats Stats { get; } = new();
    public PeMode Mode { get; private set; }
    public PeLevel Level { get; private set; } = PeLevel.NsEl2;
    public GenericTimer VirtualTimer { get; }
    public GenericTimer PhysicalTimer { get; }

    public override void Start(ISimContext ctx)
    {
        CheckTmmLegs();
        if (_s.Vcpu < 0) { Mode = PeMode.Idle; return; }
        _vcpu = ctx.Resident<VcpuActor>(_s.Vcpu);
        _awaitingKvm = _s.WaitsForKvm;
        if (_awaitingKvm) { Mode = PeMode.Idle; return; }
        Enter(ctx);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case PeKinds.FlowStep when ev.Arg == _token: AdvanceFlow(ctx); break;
            case PeKinds.FlowStep: break;
            case PeKinds.GuestStop when ev.Arg == _token && Mode == PeMode.Guest:
                _vcpu!.Progress(ctx.Now.Picoseconds - _segmentStart);
                RunGuest(ctx);
                break;
            case PeKinds.GuestStop: break;
            case PeKinds.TimerFire: OnTimer(ctx, (TimerKind)(ev.Arg & 1), ev.Arg >> 1); break;
            case PeKinds.VirtualIrq: OnVirtualIrq(ctx, (int)(ev.Arg >> 16), (int)(ev.Arg & 0xFFFF)); break;
            case PeKinds.HostSmc: QueueHostSmc(ctx, ev.Source, SmcRequest.Parser.ParseFrom(ev.Data.AsSpan())); break;
            case PeKinds.ArmPhysicalTimer:
                PhysicalTimer.Arm(PhysicalTimer.Count(ctx.Now) + (ulong)ev.Arg);
                ScheduleTimer(ctx, PhysicalTimer);
                break;
            case PeKinds.PowerOn when Mode == PeMode.Off:
                Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
                Stats.PowerOns++;
                NextHostWork(ctx);
                break;
            case PeKinds.PowerOn: break;
            case PeKinds.StopVcpu: OnStopRequest(ctx); break;
            case PeKinds.StartVcpu when _stopped: break;
            case PeKinds.StartVcpu:
                _awaitingKvm = false;
                if (Mode != PeMode.Idle) break; // busy with KVM's SMCs: it enters once they are done
                Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
                NextHostWork(ctx);
                break;
            case SmcKinds.Reply: OnTmmReply(ctx, SmcReply.Parser.ParseFrom(ev.Data.AsSpan())); break;
            case GicActor.KindSignal:
                ctx.Send(_s.Gic, GicActor.KindAcknowledge, (long)InterruptGroup.Group1NonSecure);
                // KVM kicks only a vCPU in guest mode with something to inject; one that has meanwhile
                // woken and taken its interrupts would not have been kicked, so it keeps running.
                if (ev.Arg != PeKinds.KickSgi || _vcpu is { HasPending: true }) InterruptGuest(ctx);
                break;
            case GicActor.KindAcknowledged:
                if (ev.Arg != 1023) ctx.Send(_s.Gic, GicActor.KindEoi, ev.Arg);
                break;
            case TzascActor.KindReply: OnMemoryReply(ctx, MemReply.Parser.ParseFrom(ev.Data.AsSpan())); break;
            default: throw new InvalidOperationException($"PE {_s.Cpu} got event kind 0x{ev.Kind:X}");
        }
    }

    /// <summary>Runs the resident guest from now until it leaves guest mode or waits for a compute segment to end.</summary>
    private void RunGuest(ISimContext ctx)
    {
        Mode = PeMode.Guest;
        Level = _s.Configuration.GuestLevel();
        var v = _vcpu!;
        while (true)
        {
            var a = v.Peek();
            switch (a.Kind)
            {
                case ActivityKind.Compute when a.Picoseconds == 0:
                    v.Progress(0);
                    continue;
                case ActivityKind.Compute:
                    _segmentStart = ctx.Now.Picoseconds;
                    ctx.Schedule(new SimTime(a.Picoseconds), PeKinds.GuestStop, ++_token);
                    return;
                case ActivityKind.Halted:
                    Ledger.ChargeUntil(TimeCategory.Guest, ctx.Now.Picoseconds);
                    _halted = true; // the vCPU stays where it stopped; the PE idles from here
                    Mode = PeMode.Idle;
                    return;
            }
            if (!Perform(ctx, a.Op!)) return;
        }
    }

    /// <summary>Performs a guest operation; false if the guest stopped running (exit, memory stall).</summary>
    private bool Perform(ISimContext ctx, Op op)
    {
        var v = _vcpu!;
        switch (op)
        {
            case ArmTimer t:
                VirtualTimer.Arm(VirtualTimer.Count(ctx.Now) + (ulong)t.Ticks);
                ScheduleTimer(ctx, VirtualTimer);
                v.Complete();
                return true;
            case WaitInterrupt when v.TakeInterruptCredit():
                v.Complete();
                return true;
            case Touch m:
                Mode = PeMode.MemoryStall;
                bool secure = _s.Configuration.HasTmm(); // realm memory is secure; a normal VM's is not
                var tag = ++_memoryTag;
                var (kind, data) = m.Write
                    ? (TzascActor.KindWrite, new MemWrite { Tag = tag, Address = m.Address, Data = ByteString.CopyFrom(new byte[m.Bytes]), Secure = secure }.Encode())
                    : (TzascActor.KindRead, new MemRead { Tag = tag, Address = m.Address, Size = (uint)m.Bytes, Secure = secure }.Encode());
                ctx.Send(_s.Tzasc, kind, (long)tag, data);
                return false;
        }
        if (_s.Configuration.HasTmm()) { RealmOperation(ctx, op); return false; }
        var exit = op switch
        {
            Hypercall h => new GuestExit(ExitReason.Hypercall, v.Index, h.Function),
            Mmio m => new GuestExit(ExitReason.Mmio, v.Index, m.Address, m.Write ? 1UL : 0, m.InKernel),
            SendIpi s => new GuestExit(ExitReason.SystemRegister, v.Index, (ulong)s.TargetVcpu, (ulong)s.Intid),
            PsciCpuOn p => new GuestExit(ExitReason.Psci, v.Index, (ulong)p.TargetVcpu),
            SystemOff => new GuestExit(ExitReason.SystemOff, v.Index),
            PsciCpuOff => new GuestExit(ExitReason.CpuOff, v.Index),
            PsciAffinityInfo a => new GuestExit(ExitReason.AffinityInfo, v.Index, (ulong)a.TargetVcpu),
            Wfi or WaitInterrupt => new GuestExit(ExitReason.Wfi, v.Index),
            RsiCall or IpaStateSet => new GuestExit(ExitReason.Smc, v.Index),
            _ => throw new InvalidOperationException($"vCPU {v.Index}: operation {op} cannot run"),
        };
        if (op is not WaitInterrupt) v.Complete(); // the trapped instruction retires once KVM emulated it
        TakeExit(ctx, exit);
        return false;
    }

    private void OnMemoryReply(ISimContext ctx, MemReply reply)
    {
        if (Mode != PeMode.MemoryStall || reply.Tag != _memoryTag) throw new InvalidOperationException($"PE {_s.Cpu}: unexpected memory reply {reply.Tag}");
        if (!reply.Ok) _vcpu!.MemoryFaults++; // a synchronous external abort the guest survives
        _vcpu!.Complete();
        if (_irqWhileStalled) { _irqWhileStalled = false; GuestIrq(ctx); }
        else RunGuest(ctx);
    }

    /// <summary>A physical interrupt for this CPU: a running guest exits now; otherwise the host just takes it.</summary>
    private void InterruptGuest(ISimContext ctx)
    {
        if (Mode == PeMode.MemoryStall) { _irqWhileStalled = true; return; }
        if (Mode != PeMode.Guest) return;
        _vcpu!.Progress(ctx.Now.Picoseconds - _segmentStart);
        _token++;
        Stats.LastIrqExit = ctx.Now;
        GuestIrq(ctx);
    }

    /// <summary>The running guest takes a physical IRQ: to KVM in the baseline, to the TMM in a realm.</summary>
    private void GuestIrq(ISimContext ctx)
    {
        if (_s.Configuration.HasTmm()) TrapToTmm(ctx, SmcKinds.RealmTrap, new RealmTrap { Vcpu = (uint)_vcpu!.Index, Kind = TrapKind.TrapIrq }.Encode());
        else TakeExit(ctx, new GuestExit(ExitReason.Irq, _vcpu!.Index));
    }

    private void OnTimer(ISimContext ctx, TimerKind kind, long generation)
    {
        var timer = kind == TimerKind.Virtual ? VirtualTimer : PhysicalTimer;
        if (generation != _timerGeneration[(int)kind] || timer.FiresAt(ctx.Now) != ctx.Now) return;
        Stats.TimerFires++;
        Stats.LastTimerFire = ctx.Now;
        timer.Disable(); // one shot: the guest's (or host's) handler would re-arm it
        if (kind == TimerKind.Virtual && _vcpu != null)
        {
            _vcpu.Pend(timer.Ppi); // KVM injects the virtual timer's PPI on the next entry
            if (Mode == PeMode.Blocked) { Wake(ctx); return; }
        }
        InterruptGuest(ctx);
    }

    private void ScheduleTimer(ISimContext ctx, GenericTimer timer)
    {
        long generation = ++_timerGeneration[(int)timer.Kind];
        if (timer.FiresAt(ctx.Now) is { } at)
            ctx.Schedule(at - ctx.Now, PeKinds.TimerFire, generation << 1 | (long)timer.Kind);
    }

    private void OnVirtualIrq(ISimContext ctx, int vcpu, int intid)
    {
        if (_vcpu == null || _vcpu.Index != vcpu) throw new InvalidOperationException($"PE {_s.Cpu} got a virtual interrupt for vCPU {vcpu}, which it does not run");
        _vcpu.Pend(intid);
        if (Mode == PeMode.Blocked) Wake(ctx);
        else if (_s.Gic < 0) InterruptGuest(ctx); // no GIC to kick us: the message is the kick
    }

    /// <summary>KVM's vGIC: marks the SGI pending for the target vCPU and kicks the CPU that runs it through the GIC.</summary>
    private void SendVirtualIrq(ISimContext ctx, int vcpu, int intid)
    {
        int pe = _s.PeOfVcpu[vcpu];
        if (pe == ctx.Self) { _vcpu!.Pend(intid); return; }
        ctx.Send(pe, PeKinds.VirtualIrq, (long)vcpu << 16 | (uint)intid);
        if (_s.Gic >= 0) ctx.Send(_s.Gic, GicActor.KindSgi, (long)_s.CpuOfVcpu[vcpu] << 16 | PeKinds.KickSgi);
        Stats.IpisSent++;
    }

    private void Wake(ISimContext ctx)
    {
        if (_stopped) return; // a late interrupt for a vCPU KVM has stopped
        Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
        Enter(ctx);
    }
}

/// <summary>Counters a PE keeps for reports and tests.</summary>
public sealed class PeStats
{
    public readonly long[] Exits = new long[Enum.GetValues<ExitReason>().Length];
    public long ExitsTotal => Exits.Sum();
    public long RsiCalls, HostSmcs, IpisSent, TimerFires, Entries, PowerOns;
    public SimTime LastTimerFire, LastIrqExit;
    /// <summary>When the vCPU stopped for a SYSTEM_OFF (zero while it has not).</summary>
    public SimTime Stopped;
}
