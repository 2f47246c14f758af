using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Actor;

/// <summary>
/// The machine's TMM as a kernel component (hosted in its own Akka actor): it owns one <see cref="Rmm"/>
/// and answers every SMC the PEs' secure monitor routes to it and every trap of a Realm running on a
/// PE, after that work's cost (<see cref="SmcKinds.Reply"/>, an <see cref="SmcReply"/>, the request's
/// event argument echoed). It is the per-machine serialisation point the architecture describes.
/// <list type="bullet">
/// <item>RMI calls from KVM (<see cref="SmcKinds.Request"/>, non-secure): <see cref="Rmm.HostSmc"/>.</item>
/// <item>REC_ENTER from a PE: <see cref="Rmm.EnterOnCpu"/>; success means the Realm now runs on that PE.</item>
/// <item>RSI calls (<see cref="SmcKinds.Request"/>, secure) and other traps (<see cref="SmcKinds.RealmTrap"/>):
/// <see cref="Rmm.RealmTrap"/>; the reply either resumes the Realm (X0..X4) or carries the exit record
/// REC_ENTER returns with.</item>
/// </list>
/// </summary>
public sealed class TmmActor(Rmm rmm, TmmCosts costs) : Component
{
    private readonly Dictionary<uint, (ulong Rec, ulong Run)> _running = new(); // by vCPU index
    private readonly byte[] _half = new byte[RecExit.Size];                           // a run page half, reused per entry and exit

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
                var call = SmcRequest.Parser.ParseFrom(ev.Data.AsSpan());
                (reply, cost) = call.World == World.Secure ? Rsi(call)
                    : (call.Fid & ~RmiFid.SveHint) == RmiFid.RecEnter ? RecEnter(call)
                    : HostCall(call);
                break;
            case SmcKinds.RealmTrap:
                (reply, cost) = Trap(RealmTrap.Parser.ParseFrom(ev.Data.AsSpan()));
                break;
            default:
                throw new SimulationException($"the TMM got event kind 0x{ev.Kind:X} from component {ev.Source}");
        }
        reply.TmmPicoseconds = cost.Picoseconds;
        ctx.Send(ev.Source, SmcKinds.Reply, ev.Arg, reply.Encode(), cost);
    }

    private (SmcReply, SimTime) HostCall(SmcRequest call)
    {
        WritePages(call);
        var r = Rmm.HostSmc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5);
        Calls++;
        return (Reply(call.Fid, r), costs.Of(call.Fid));
    }

    private (SmcReply, SimTime) RecEnter(SmcRequest call)
    {
        WritePages(call);
        if (call.RecEntry != null)
        {
            RunPage.WriteEntryHalf(call.RecEntry, _half);
            Write(call.X2, _half, "the run page of REC_ENTER");
        }
        var r = Rmm.EnterOnCpu(call.X1, call.X2);
        if (r.Status == RmiStatus.Success) { _running[call.Vcpu] = (call.X1, call.X2); Entries++; }
        return (Reply(call.Fid, r), costs.Cycles(costs.EntryMarshalCycles));
    }

    private (SmcReply, SimTime) Rsi(SmcRequest call)
    {
        RealmCalls++;
        return Step(call.Vcpu, call.Fid, new GuestStep.Smc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5));
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
            _ => throw new SimulationException($"vCPU {trap.Vcpu}: a realm trap {trap.Kind} of {trap.Size} bytes cannot be taken"),
        };
        return Step(trap.Vcpu, RmiFid.RecEnter, step);
    }

    /// <summary>
    /// The Realm on vCPU <paramref name="vcpu"/> trapped. Handled inside the TMM it costs a command
    /// (`tmm.cmd_base`); an exit costs the exit marshalling (`tmm.exit_marshal`), which covers reading
    /// a host call's block, so a realm's null host call costs what cvm.hvc_rt measured.
    /// </summary>
    private (SmcReply, SimTime) Step(uint vcpu, ulong fid, GuestStep step)
    {
        if (!_running.TryGetValue(vcpu, out var entered))
            throw new SimulationException($"vCPU {vcpu} trapped to the TMM ({step}) but no REC_ENTER of it is in progress");
        var result = Rmm.RealmTrap(entered.Rec, step);
        if (!result.Exited)
        {
            var resumed = new SmcReply { Fid = fid };
            if (result.Registers.Length > 0) resumed.X0 = result.Registers[0];
            if (result.Registers.Length > 1) resumed.X1 = result.Registers[1];
            if (result.Registers.Length > 2) resumed.X2 = result.Registers[2];
            if (result.Registers.Length > 3) resumed.X3 = result.Registers[3];
            if (result.Registers.Length > 4) resumed.X4 = result.Registers[4];
            return (resumed, costs.Cycles(costs.CommandBaseCycles));
        }
        _running.Remove(vcpu);
        Exits++;
        var exited = new SmcReply { Fid = RmiFid.RecEnter, X0 = result.Status.X0, RecEnterReturned = true, Error = Rmm.LastError };
        if (result.Status.Status == RmiStatus.Success)
        {
            Rmm.HostMemory.Read(entered.Run + RecExit.Offset, _half);
            exited.RecExit = RunPage.ExitRecord(_half);
        }
        return (exited, costs.Cycles(costs.ExitMarshalCycles));
    }

    private SmcReply Reply(ulong fid, SmcResult r) =>
        new() { Fid = fid, X0 = r.X0, X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, Error = Rmm.LastError };

    private void WritePages(SmcRequest call)
    {
        foreach (var page in call.Pages) Write(page.Address, page.Data.Span, $"page 0x{page.Address:X} sent with FID 0x{call.Fid:X}");
    }

    private void Write(ulong address, ReadOnlySpan<byte> data, string what)
    {
        try { Rmm.HostMemory.Write(address, data); }
        catch (GranuleProtectionFault e) { throw new SimulationException($"the host wrote {what}, but {e.Message}"); }
    }
}
