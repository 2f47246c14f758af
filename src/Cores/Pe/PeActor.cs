using VirtCca.Cores.Host;
using VirtCca.Cores.Timers;
using VirtCca.Cores.Vcpu;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// One physical core: the hardware. It keeps its exception level and world (with EL3's saved contexts in
/// its <see cref="El3Monitor"/>), its generic timers and the virtual timer of the vCPU in it, charges
/// every step at its clock in a <see cref="TimeLedger"/> that accounts for every picosecond, runs the
/// resident vCPU's guest code, and executes the host software's steps — KVM's run loop, exit handlers
/// and scheduler, which it reaches only through <see cref="IHostSoftware"/>. It reaches the TMM, the GIC
/// and memory only by messages. What it does is one <see cref="PeState"/>, changed only along
/// <see cref="PeTransitions"/>.
/// </summary>
public sealed partial class PeActor : Component, IHostCpu
{
    private readonly PeSetup _s;
    private readonly long[] _timerGeneration = new long[2];
    private readonly Dictionary<int, VcpuActor> _vcpus = new();
    private IHostSoftware? _host;
    private ISimContext _ctx = null!;
    private long _token;          // voids scheduled guest stops and steps that no longer apply
    private VcpuActor? _guest;     // the vCPU in guest mode here (entered, possibly with its program ended)

    public PeActor(PeSetup setup)
    {
        _s = setup;
        Monitor = new El3Monitor(setup.Firmware, setup.WorldSwitch);
        PhysicalTimer = new GenericTimer(TimerKind.Physical, setup.CntfrqHz);
    }

    public PeSetup Setup => _s;
    public El3Monitor Monitor { get; }
    public TimeLedger Ledger { get; } = new();
    public PeStats Stats { get; } = new();
    public PeState State { get; private set; } = PeState.Idle;
    public PeLevel Level { get; private set; } = PeLevel.NsEl2;
    public GenericTimer PhysicalTimer { get; }
    public IHostSoftware? Host => _host;

    // IHostCpu: what the host software may use of this PE.
    public int Cpu => _s.Cpu;
    public int Self => _ctx.Self;
    public SimTime Now => _ctx.Now;
    public SmcResult LastSmc { get; private set; }
    public string LastSmcError { get; private set; } = "";
    public PhysicalMemory Memory => _s.Memory;
    public VcpuActor? InGuest => _guest;
    public VcpuActor Vcpu(int componentId) => _vcpus.TryGetValue(componentId, out var v) ? v
        : throw new SimulationException($"PE {_s.Cpu}: vCPU component {componentId} is not placed on it");

    private void To(PeState next)
    {
        if (!PeTransitions.IsAllowed(State, next))
            throw new InvalidOperationException($"PE {_s.Cpu}: {State} -> {next} is not a transition the PE's flows allow");
        State = next;
    }

    public override void Start(ISimContext ctx)
    {
        _ctx = ctx;
        CheckTmmLegs();
        foreach (int id in _s.Vcpus) _vcpus.Add(id, ctx.Resident<VcpuActor>(id));
        _host = _s.Host?.Invoke();
        _host?.Start(this);
        ContinueHost();
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        _ctx = ctx;
        switch (ev.Kind)
        {
            case PeKinds.FlowStep when ev.Arg == _token: AdvanceFlow(); break;
            case PeKinds.HostStep when ev.Arg == _token: ContinueHost(); break;
            case PeKinds.GuestStop when ev.Arg == _token && State == PeState.Guest:
                _guest!.Progress(Now.Picoseconds - _segmentStart);
                RunGuest();
                break;
            case PeKinds.FlowStep or PeKinds.HostStep or PeKinds.GuestStop: break;
            case PeKinds.TimerFire: OnTimer((TimerKind)(ev.Arg & 1), ev.Arg >> 1); break;
            case PeKinds.ArmPhysicalTimer:
                PhysicalTimer.Arm(PhysicalTimer.Count(Now) + (ulong)ev.Arg);
                ScheduleTimer(PhysicalTimer);
                break;
            case PeKinds.PowerOn when State == PeState.Off:
                Ledger.IdleUntil(Now.Picoseconds, finished: false);
                To(PeState.Idle);
                Stats.PowerOns++;
                ContinueHost();
                break;
            case PeKinds.PowerOn: break;
            case SmcKinds.Reply: OnTmmReply(ev.PayloadAs<SmcReply>()); break;
            case GicActor.KindSignal:
                ctx.Send(_s.Gic, GicActor.KindAcknowledge, (long)InterruptGroup.Group1NonSecure);
                OnPhysicalIrq(ev.Arg);
                break;
            case GicActor.KindAcknowledged:
                if (ev.Arg != 1023) ctx.Send(_s.Gic, GicActor.KindEoi, ev.Arg);
                break;
            case TzascActor.KindReply: OnMemoryReply(ev.PayloadAs<MemReply>()); break;
            case Devices.DeviceKinds.HostWork: OnHostWork(ev.Source, ev.Arg); break;
            default:
                if (_host is { } host && host.Handles(ev.Kind)) { RunHost(host.OnEvent(ev)); break; }
                throw new InvalidOperationException($"PE {_s.Cpu} got event kind 0x{ev.Kind:X}");
        }
    }

    /// <summary>
    /// A physical interrupt for this CPU. The host's reschedule SGI interrupts the guest only if the host
    /// wants the vCPU out (something to inject, a stop, another vCPU's turn); any other interrupt is the
    /// host's, and a running guest exits for it.
    /// </summary>
    private void OnPhysicalIrq(long intid)
    {
        if (_guest is not { } g) return;
        if (intid == PeHostIrq.KickSgi && !(_host?.WantsExit(g) ?? false)) return;
        InterruptGuest();
    }

    private void OnTimer(TimerKind kind, long generation)
    {
        var timer = kind == TimerKind.Virtual ? _guest?.VirtualTimer : PhysicalTimer;
        if (timer == null || generation != _timerGeneration[(int)kind] || timer.FiresAt(Now) != Now) return;
        Stats.TimerFires++;
        Stats.LastTimerFire = Now;
        timer.Disable(); // one shot: the guest's (or host's) handler would re-arm it
        if (kind == TimerKind.Virtual) _host?.OnVirtualTimer(_guest!);
        InterruptGuest();
    }

    private void ScheduleTimer(GenericTimer timer)
    {
        long generation = ++_timerGeneration[(int)timer.Kind];
        if (timer.FiresAt(Now) is { } at)
            _ctx.Schedule(at - Now, PeKinds.TimerFire, generation << 1 | (long)timer.Kind);
    }

    /// <summary>The guest's virtual timer is live only while its vCPU is in the guest here; out of it, KVM emulates it.</summary>
    private void CancelVirtualTimer() => _timerGeneration[(int)TimerKind.Virtual]++;

    // Host software may ask for these.
    public void Kick() => InterruptGuest();

    public void ScheduleHostEvent(SimTime delay, int kind, long arg) => _ctx.Schedule(delay, kind, arg);
}

/// <summary>Counters a PE keeps for reports and tests.</summary>
public sealed class PeStats
{
    public long Entries, RsiCalls, HostSmcs, TimerFires, PowerOns, VmExits, RealmExits, RealmTraps;
    public SimTime LastTimerFire, LastIrqExit;
}

/// <summary>The SGI the host uses to kick another CPU out of its guest (Linux's IPI_RESCHEDULE); the host software sends it, the PE takes it.</summary>
public static class PeHostIrq
{
    public const int KickSgi = 0;
}
