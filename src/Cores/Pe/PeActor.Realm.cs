using Google.Protobuf;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Gic;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Pe;

/// <summary>
/// The realm side of a PE: every guest trap goes to the TMM first (guest → TMM), which either resumes
/// the realm or returns REC_ENTER to KVM with an exit record; KVM sees only that record.
/// </summary>
public sealed partial class PeActor
{
    private IReadOnlyList<Step>? _trapLeg;
    private bool _emulMmio;       // the last exit was an emulatable data abort: the next entry completes it
    private static readonly ulong RealmSystemOff = SmcResult.Of(RmiStatus.ErrorRealm, 1).X0; // REC_ENTER into a powered-off realm
    private bool _inRec;          // REC_ENTER succeeded and has not returned yet: the realm vCPU is on this CPU
    private bool _mmioInKernel;   // KVM's device lookup for that abort's address (its io bus, not the guest's registers)

    // A trap starts like an RSI call (trap to the TMM, the TMM's step); an exit goes on like the exit leg after its TMM step.
    private IReadOnlyList<Step> TrapLeg => _trapLeg ??= WorldSwitch.RsiCall(_s.Configuration, _s.WorldSwitch);
    private const int TrapLegTmmStep = 1;

    /// <summary>A guest operation that traps in a realm: RSI calls and host calls, MMIO, SGI writes, WFI.</summary>
    private void RealmOperation(ISimContext ctx, Op op)
    {
        var v = _vcpu!;
        uint vcpu = (uint)v.Index;
        if (op is not WaitInterrupt) v.Complete(); // retires once the TMM or KVM has dealt with it
        switch (op)
        {
            case RsiCall r:
                Stats.RsiCalls++;
                var rsi = new SmcRequest { Fid = r.Fid, X1 = r.Arg(0), X2 = r.Arg(1), X3 = r.Arg(2), X4 = r.Arg(3), X5 = r.Arg(4), World = World.Secure, Vcpu = vcpu };
                TrapToTmm(ctx, SmcKinds.Request, rsi.Encode());
                return;
            case Hypercall:
                Stats.RsiCalls++;
                var hostCall = new SmcRequest { Fid = RsiFid.HostCall, X1 = _s.Realm?.HostCallIpa ?? 0, World = World.Secure, Vcpu = vcpu };
                TrapToTmm(ctx, SmcKinds.Request, hostCall.Encode());
                return;
            case Mmio m:
                _mmioInKernel = m.InKernel;
                var abort = new RealmTrap { Vcpu = vcpu, Kind = TrapKind.TrapDataAbort, Address = m.Address | (_s.Realm?.UnprotectedIpaBit ?? 0), Size = 4, Write = m.Write };
                TrapToTmm(ctx, SmcKinds.RealmTrap, abort.Encode());
                return;
            case PsciCpuOn p:
                // Entry at the image's start, context 0: the secondary's boot path is the guest's business.
                var cpuOn = new SmcRequest { Fid = Psci.CpuOn, X1 = Mpidr.Of(p.TargetVcpu), X2 = 0, X3 = 0, World = World.Secure, Vcpu = vcpu };
                TrapToTmm(ctx, SmcKinds.Request, cpuOn.Encode());
                return;
            case PsciCpuOff:
                TrapToTmm(ctx, SmcKinds.Request, new SmcRequest { Fid = Psci.CpuOff, World = World.Secure, Vcpu = vcpu }.Encode());
                return;
            case PsciAffinityInfo a:
                var affinity = new SmcRequest { Fid = Psci.AffinityInfo, X1 = Mpidr.Of(a.TargetVcpu), World = World.Secure, Vcpu = vcpu };
                TrapToTmm(ctx, SmcKinds.Request, affinity.Encode());
                return;
            case SystemOff:
                TrapToTmm(ctx, SmcKinds.Request, new SmcRequest { Fid = Psci.SystemOff, World = World.Secure, Vcpu = vcpu }.Encode());
                return;
            case IpaStateSet i:
                Stats.RsiCalls++;
                var stateSet = new SmcRequest { Fid = RsiFid.IpaStateSet, X1 = i.Base, X2 = i.Top, X3 = i.Ram ? 1UL : 0UL, World = World.Secure, Vcpu = vcpu };
                TrapToTmm(ctx, SmcKinds.Request, stateSet.Encode());
                return;
            case SendIpi s:
                var msr = new RealmTrap { Vcpu = vcpu, Kind = TrapKind.TrapSysregWrite, Iss = VcpuSgi.MsrIss, Value = VcpuSgi.Encode(s.TargetVcpu, s.Intid) };
                TrapToTmm(ctx, SmcKinds.RealmTrap, msr.Encode());
                return;
            case Wfi or WaitInterrupt:
                TrapToTmm(ctx, SmcKinds.RealmTrap, new RealmTrap { Vcpu = vcpu, Kind = TrapKind.TrapWfi }.Encode());
                return;
            default:
                throw new InvalidOperationException($"vCPU {v.Index}: operation {op} cannot run in a realm");
        }
    }

    private void TrapToTmm(ISimContext ctx, int kind, byte[] data)
    {
        Ledger.ChargeUntil(TimeCategory.Guest, ctx.Now.Picoseconds);
        RunFlow(ctx, TrapLeg, kind, data, TmmPurpose.RealmTrap, After.ResumeGuest);
    }

    /// <summary>The TMM answered a trap: the realm resumes, or REC_ENTER returned and the flow goes on to KVM.</summary>
    private void OnRealmTrapAnswer(SmcReply reply)
    {
        if (reply.RecEnterReturned) _inRec = false;
        if (reply.RecEnterReturned && reply.X0 != 0)
            throw new SimulationException($"PE {_s.Cpu}: REC_ENTER of vCPU {_vcpu!.Index} returned status 0x{reply.X0:X}: {reply.Error}");
        if (reply.RecExit is not { } record)
        {
            _vcpu!.Context.X[0] = reply.X0;
            return;
        }
        Monitor.TmmAnswered(reply); // REC_ENTER's status reaches X0 when the normal world is restored
        _inRec = false;
        _exit = KvmView(record);
        Stats.Exits[(int)_exit.Reason]++;
        _flow = ExitLeg;
        _flowNext = TrapLegTmmStep + 1;
        _after = After.KvmHandles;
    }

    /// <summary>What KVM makes of the exit record (RMM v1.0 §5.2): it never sees the realm's registers or the trapped instruction.</summary>
    private GuestExit KvmView(RecExitRecord r)
    {
        int vcpu = _vcpu!.Index;
        ulong ec = r.Esr >> 26;
        switch ((RecExitReason)r.Reason)
        {
            case RecExitReason.Sync when ec == 0x24 && (r.Esr & 1UL << 24) != 0: // an emulatable data abort
                _emulMmio = true;
                return new GuestExit(ExitReason.Mmio, vcpu, r.Hpfar << 8, (r.Esr >> 6) & 1, _mmioInKernel);
            case RecExitReason.Sync when ec == 0x01:
                return new GuestExit(ExitReason.Wfi, vcpu);
            case RecExitReason.Sync when ec == 0x18:
                var (targets, intid) = VcpuSgi.Decode(Gpr(r, 0));
                if (targets.Count != 1) throw new SimulationException($"vCPU {vcpu} wrote ICC_SGI1R for {targets.Count} targets; KVM's model sends one");
                return new GuestExit(ExitReason.SystemRegister, vcpu, (ulong)targets[0], (ulong)intid);
            case RecExitReason.Irq or RecExitReason.Fiq:
                return new GuestExit(ExitReason.Irq, vcpu);
            case RecExitReason.HostCall:
                return new GuestExit(ExitReason.Hypercall, vcpu, r.Imm);
            case RecExitReason.RipasChange:
                return new GuestExit(ExitReason.RipasChange, vcpu, r.RipasBase, r.RipasTop);
            case RecExitReason.Psci when Gpr(r, 0) == Psci.SystemOff:
                return new GuestExit(ExitReason.SystemOff, vcpu);
            case RecExitReason.Psci when Gpr(r, 0) == Psci.CpuOff:
                return new GuestExit(ExitReason.CpuOff, vcpu);
            case RecExitReason.Psci when Gpr(r, 0) == Psci.AffinityInfo:
                return new GuestExit(ExitReason.AffinityInfo, vcpu, (ulong)Mpidr.IndexOf(Gpr(r, 1)));
            case RecExitReason.Psci when Gpr(r, 0) == Psci.CpuOn:
                return new GuestExit(ExitReason.Psci, vcpu, (ulong)Mpidr.IndexOf(Gpr(r, 1)));
            default:
                throw new SimulationException(
                    $"vCPU {vcpu}: KVM got a realm exit with reason {r.Reason} (esr 0x{r.Esr:X}, hpfar 0x{r.Hpfar:X}); handling it is not modelled (KVM would have to map memory or run PSCI/RIPAS requests)");
        }
    }

    /// <summary>An exit record's X<paramref name="i"/>: the record leaves out trailing zero registers.</summary>
    private static ulong Gpr(RecExitRecord r, int i) => i < r.Gprs.Count ? r.Gprs[i] : 0;

    /// <summary>REC_ENTER's request: the REC, the run page, and what KVM wrote into its entry half.</summary>
    private byte[] RecEnterRequest()
    {
        var v = _vcpu!;
        int n = v.InjectPending(); // KVM's vGIC: the pending virtual interrupts go into list registers on entry
        var entry = new SecureMonitor.Protocol.RecEntry { Flags = (ulong)(RecEntryFlags.TrapWfi | (_emulMmio ? RecEntryFlags.EmulMmio : 0)) };
        for (int i = 0; i < n; i++) entry.Gicv3Lrs.Add(v.Context.ListRegisters[i].Encode());
        _emulMmio = false;
        return new SmcRequest { Fid = RmiFid.RecEnter, X1 = _s.Realm?.Rec ?? 0, X2 = _s.Realm?.Run ?? 0, World = World.NonSecure, Vcpu = (uint)v.Index, RecEntry = entry }
            .Encode();
    }

    /// <summary>
    /// KVM completes a guest's CPU_ON (<paramref name="start"/>) or AFFINITY_INFO: in a realm it first
    /// tells the TMM (RMI_PSCI_COMPLETE, an SMC from this PE; for CPU_ON it makes the target REC
    /// runnable), then starts the target's PE; a normal VM's target starts at once.
    /// </summary>
    private void CompletePsci(ISimContext ctx, int target, bool start)
    {
        if (target < 0 || target >= _s.PeOfVcpu.Count)
            throw new SimulationException($"vCPU {_vcpu!.Index} named vCPU {target} in a PSCI call; the machine does not have it");
        if (!_s.Configuration.HasTmm())
        {
            if (start) ctx.Send(_s.PeOfVcpu[target], PeKinds.StartVcpu, 0);
            return;
        }
        var complete = new SmcRequest { Fid = RmiFid.PsciComplete, X1 = _s.RecOfVcpu[_vcpu!.Index], X2 = _s.RecOfVcpu[target], X3 = 0 };
        _hostCalls.Enqueue(new HostCall(ctx.Self, complete, (c, reply) =>
        {
            if (reply.X0 != 0)
                throw new SimulationException($"PE {_s.Cpu}: RMI_PSCI_COMPLETE for vCPU {_vcpu!.Index}'s PSCI call on vCPU {target} returned 0x{reply.X0:X}: {reply.Error}");
            if (start) c.Send(_s.PeOfVcpu[target], PeKinds.StartVcpu, 0); // after a CPU_ON the target vCPU may run
        }));
    }

    /// <summary>
    /// KVM applies a realm's RIPAS change: RMI_RTT_SET_RIPAS from where the request stands, again from
    /// wherever each call got to, until the whole range is done; then the vCPU re-enters (accepted).
    /// </summary>
    private void ApplyRipasChange(ISimContext ctx, ulong from, ulong top)
    {
        var b = _s.Realm ?? throw new SimulationException($"PE {_s.Cpu}: a RIPAS change needs the realm's REC binding");
        var set = new SmcRequest { Fid = RmiFid.RttSetRipas, X1 = b.Rd, X2 = b.Rec, X3 = from, X4 = top };
        _hostCalls.Enqueue(new HostCall(ctx.Self, set, (c, reply) =>
        {
            if (reply.X0 != 0)
                throw new SimulationException($"PE {_s.Cpu}: RMI_RTT_SET_RIPAS [0x{from:X}, 0x{top:X}) for vCPU {_vcpu!.Index} returned 0x{reply.X0:X}: {reply.Error}");
            if (reply.X1 < top) ApplyRipasChange(c, reply.X1, top);
        }));
    }

    private void CheckRecEntered(SmcReply reply)
    {
        // The realm was powered off while this vCPU was out (ERROR_REALM, index 1: SYSTEM_OFF): the SMC
        // returns through EL3 to KVM with that status, and KVM stops the vCPU.
        if (reply.X0 == RealmSystemOff)
        {
            Monitor.TmmAnswered(reply);
            _flow = ExitLeg;
            _flowNext = TrapLegTmmStep + 1;
            _after = After.KvmDone;
            _outcome = default;
            _stopRequested = true;
            return;
        }
        if (reply.X0 == 0) { _inRec = true; return; }
        throw new SimulationException($"PE {_s.Cpu}: REC_ENTER of vCPU {_vcpu!.Index} was refused with status 0x{reply.X0:X}: {reply.Error}");
    }
}
