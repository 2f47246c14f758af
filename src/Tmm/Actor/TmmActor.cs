using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Actor;

/// <summary>
/// The machine's TMM as a kernel component (hosted in its own Akka actor): it owns one <see cref="Rmm"/>
/// over the machine's physical memory and answers every SMC the PEs' secure monitor routes to it and
/// every trap of a Realm running on a PE, after that work's cost (<see cref="SmcKinds.Reply"/>, an
/// <see cref="SmcReply"/>, the request's event argument echoed). It is the per-machine serialisation
/// point the architecture describes.
/// <list type="bullet">
/// <item>RMI calls from KVM (<see cref="SmcKinds.Request"/>, non-secure): <see cref="Rmm.HostSmc"/>; the pages they read are in memory.</item>
/// <item>REC_ENTER from a PE: <see cref="Rmm.EnterOnCpu"/>; success means the Realm now runs on that PE with the list registers the reply carries.</item>
/// <item>RSI/PSCI calls (<see cref="SmcKinds.Request"/>, secure) and other traps (<see cref="SmcKinds.RealmTrap"/>):
/// <see cref="Rmm.RealmTrap"/>; the reply either resumes the Realm (X0..X4) or says REC_ENTER returned, its exit record in the run page.</item>
/// </list>
/// </summary>
public sealed class TmmActor(Rmm rmm, TmmCosts costs) : Component
{
    private static readonly Dictionary<string, EntryCompletion> Completions = new()
    {
        [""] = EntryCompletion.None, ["mmio-read"] = EntryCompletion.Emulated, ["mmio-write"] = EntryCompletion.Emulated, ["sea"] = EntryCompletion.Sea,
    };

    public Rmm Rmm { get; } = rmm;
    /// <summary>RMI calls other than REC_ENTER.</summary>
    public long Calls { get; private set; }
    public long Entries { get; private set; }
    public long Exits { get; private set; }
    public long RealmCalls { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        SmcReply reply;
        SimTime cost;
        switch (ev.Kind)
        {
            case SmcKinds.Request:
                var call = ev.PayloadAs<SmcRequest>();
                (reply, cost) = call.World == World.Secure ? Rsi(call)
                    : (call.Fid & ~RmiFid.SveHint) is RmiFid.RecEnter or TmiFid.TecEnter ? RecEnter(call)
                    : HostCall(call);
                break;
            case SmcKinds.RealmTrap:
                (reply, cost) = Trap(ev.PayloadAs<RealmTrap>());
                break;
            default:
                throw new SimulationException($"the TMM got event kind 0x{ev.Kind:X} from component {ev.Source}");
        }
        reply.TmmPicoseconds = cost.Picoseconds;
        ctx.Send(ev.Source, SmcKinds.Reply, ev.Arg, reply, cost);
    }

    private (SmcReply, SimTime) HostCall(SmcRequest call)
    {
        var r = Rmm.HostSmc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5);
        Calls++;
        return (Reply(call.Fid, r), costs.Of(call.Fid, Rmm.LastCallBlocks));
    }

    private (SmcReply, SimTime) RecEnter(SmcRequest call)
    {
        var r = (call.Fid & ~RmiFid.SveHint) == TmiFid.TecEnter ? Rmm.TecEnterOnCpu(call.X1, call.X2, out var completed) : Rmm.EnterOnCpu(call.X1, call.X2, out completed);
        var reply = Reply(call.Fid, r);
        if (r.Status == RmiStatus.Success)
        {
            Entries++;
            reply.Lrs.AddRange(Rmm.RecAt(call.X1)!.GicLrs); // loaded into the CPU's virtual interface
            reply.Completion = Completions[completed];
        }
        return (reply, costs.Cycles(costs.EntryMarshalCycles));
    }

    private (SmcReply, SimTime) Rsi(SmcRequest call)
    {
        RealmCalls++;
        return Step(call.Rec, call.Fid, new GuestStep.Smc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5), call.Cpu);
    }

    private (SmcReply, SimTime) Trap(RealmTrap trap)
    {
        GuestStep step = trap.Kind switch
        {
            TrapKind.TrapDataAbort when trap.Size is 1 or 2 or 4 or 8 => trap.Write
                ? new GuestStep.Store(trap.Address, trap.Value, (int)trap.Size)
                : new GuestStep.Load(trap.Address, (int)trap.Size),
            TrapKind.TrapWfi => new GuestStep.Wfi(),
            TrapKind.TrapSysregWrite => new GuestStep.SysRegWrite(trap.Iss, trap.Value),
            TrapKind.TrapIrq => new GuestStep.Interrupt(),
            _ => throw new SimulationException($"REC 0x{trap.Rec:X}: a realm trap {trap.Kind} of {trap.Size} bytes cannot be taken"),
        };
        return Step(trap.Rec, RmiFid.RecEnter, step, trap.Cpu);
    }

    /// <summary>
    /// The Realm on REC <paramref name="rec"/> trapped. Handled inside the TMM it costs a command
    /// (`tmm.cmd_base`); an exit costs the exit marshalling (`tmm.exit_marshal`), which covers reading
    /// a host call's block, so a realm's null host call costs what cvm.hvc_rt measured.
    /// </summary>
    private (SmcReply, SimTime) Step(ulong rec, ulong fid, GuestStep step, RealmCpu? cpu)
    {
        var state = cpu == null ? (RealmCpuState?)null : new RealmCpuState([.. cpu.Lrs], cpu.CntvCtl, cpu.CntvCval);
        RealmTrapResult result;
        try { result = Rmm.RealmTrap(rec, step, state); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new SimulationException($"a realm trapped to the TMM ({step}) on REC 0x{rec:X}, but {e.Message}");
        }
        if (!result.Exited)
        {
            var resumed = new SmcReply { Fid = fid, Outcome = result.Outcome };
            var x = result.Registers;
            if (x.Length > 0) resumed.X0 = x[0];
            if (x.Length > 1) resumed.X1 = x[1];
            if (x.Length > 2) resumed.X2 = x[2];
            if (x.Length > 3) resumed.X3 = x[3];
            if (x.Length > 4) resumed.X4 = x[4];
            return (resumed, costs.Cycles(costs.CommandBaseCycles));
        }
        Exits++;
        return (new SmcReply { Fid = RmiFid.RecEnter, X0 = result.Status.X0, RecEnterReturned = true, Error = Rmm.LastError }, costs.Cycles(costs.ExitMarshalCycles));
    }

    private SmcReply Reply(ulong fid, SmcResult r) =>
        new() { Fid = fid, X0 = r.X0, X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, Error = Rmm.LastError };
}
