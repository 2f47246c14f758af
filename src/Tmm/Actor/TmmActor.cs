using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.Tmm.Protocol;

namespace VirtCca.Tmm.Actor;

/// <summary>
/// The machine's TMM as a kernel component (hosted in its own Akka actor): it owns one <see cref="Rmm"/>,
/// takes <see cref="RmiCall"/>s from PEs, runs them through the RMI ABI, and answers the caller after
/// the command's cost. It is the per-machine serialisation point the architecture describes.
/// </summary>
public sealed class TmmActor(Rmm rmm, TmmCosts costs) : Component
{
    public const int KindRmiCall = 0x7100;
    public const int KindRmiReturn = 0x7101;

    public Rmm Rmm { get; } = rmm;
    public long Calls { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != KindRmiCall)
            throw new InvalidOperationException($"TmmActor got event kind {ev.Kind}; it takes RmiCall ({KindRmiCall}) only");
        var call = RmiCall.Parser.ParseFrom(ev.Data ?? []);
        var r = Rmm.HostSmc(call.Fid, call.X1, call.X2, call.X3, call.X4, call.X5);
        var cost = costs.Of(call.Fid);
        Calls++;
        var reply = new RmiReturn { Fid = call.Fid, X0 = r.X0, X1 = r.X1, X2 = r.X2, X3 = r.X3, X4 = r.X4, TmmPicoseconds = cost.Picoseconds };
        ctx.Send(ev.Source, KindRmiReturn, (long)call.Fid, reply.ToByteArray(), cost);
    }
}
