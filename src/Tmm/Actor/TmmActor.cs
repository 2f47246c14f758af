using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Rmi;

namespace VirtCca.Tmm.Actor;

/// <summary>
/// The machine's TMM as a kernel component (hosted in its own Akka actor): it owns one <see cref="Rmm"/>,
/// takes the SMCs the PEs' secure monitor routes to it (<see cref="SmcKinds.Request"/>, an
/// <see cref="SmcRequest"/>), runs them through the RMI ABI and answers the caller after the command's
/// cost (<see cref="SmcKinds.Reply"/>, an <see cref="SmcReply"/>, with the request's event argument
/// echoed). It is the per-machine serialisation point the architecture describes.
/// </summary>
public sealed class TmmActor(Rmm rmm, TmmCosts costs) : Component
{
    public Rmm Rmm { get; } = rmm;
    public long Calls { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != SmcKinds.Request)
            throw new SimulationException($"the TMM got event kind 0x{ev.Kind:X}; PE-driven realm exits (RealmExit) are not wired to the RMM model yet");
        var call = SmcRequest.Parser.ParseFrom(ev.Data ?? []);
        if (call.World != World.NonSecure || (call.Fid & ~RmiFid.SveHint) == RmiFid.RecEnter)
            throw new SimulationException(
                $"the TMM got {(call.World == World.Secure ? "an RSI call" : "REC_ENTER")} for vCPU {call.Vcpu}; PE-driven vCPUs are not bound to RECs of the RMM model yet");
        var r = Rmm.HostSmc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5);
        var cost = costs.Of(call.Fid);
        Calls++;
        var reply = new SmcReply { Fid = call.Fid, X0 = r.X0, X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, TmmPicoseconds = cost.Picoseconds };
        ctx.Send(ev.Source, SmcKinds.Reply, ev.Arg, reply.ToByteArray(), cost);
    }
}
