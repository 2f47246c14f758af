using Google.Protobuf;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Cores.Tests;

/// <summary>
/// Test-only stand-in for the machine's TMM: answers every SMC request and realm exit after a fixed,
/// configured cost (REC_ENTER: entry marshalling, a realm exit: exit marshalling, anything else:
/// the command base), with X0 = RMI_SUCCESS.
/// </summary>
internal sealed class TmmStandIn(WorldSwitchCosts costs, long hz = 2_600_000_000) : Component
{
    public readonly List<string> Log = new();

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        (ulong fid, long cycles) = ev.Kind switch
        {
            SmcKinds.RealmExit => (PeActor.RecEnterFid, costs.TmmExitMarshal),
            SmcKinds.Request => SmcRequest.Parser.ParseFrom(ev.Data ?? []) is var r && r.Fid == PeActor.RecEnterFid
                ? (r.Fid, costs.TmmEntryMarshal)
                : (r.Fid, costs.TmmCommandBase),
            _ => throw new InvalidOperationException($"TMM stand-in got kind 0x{ev.Kind:X}"),
        };
        var cost = SimTime.FromCycles(cycles, hz);
        Log.Add($"{ev.Time}:{ev.Kind:X}:{fid:X}");
        var reply = new SmcReply { Fid = fid, X0 = 0, X1 = fid == 0xC4000150 ? 0x10000UL : 0, TmmPicoseconds = cost.Picoseconds };
        ctx.Send(ev.Source, SmcKinds.Reply, ev.Arg, reply.ToByteArray(), cost);
    }
}

/// <summary>Host software (a future KVM actor) asking a PE to execute SMCs at given times; records the answers as "time:X0".</summary>
internal sealed class HostDriver(int pe, params (long AtPs, ulong Fid, ulong X1)[] calls) : Component
{
    public readonly List<string> Answers = new();

    public override void Start(ISimContext ctx)
    {
        foreach (var (at, fid, x1) in calls)
            ctx.Send(pe, PeKinds.HostSmc, 0, new SmcRequest { Fid = fid, X1 = x1 }.ToByteArray(), new SimTime(at));
    }

    public override void Handle(in SimEvent ev, ISimContext ctx) =>
        Answers.Add($"{ev.Time}:{SmcReply.Parser.ParseFrom(ev.Data ?? []).X0:X}");
}

internal static class Costs
{
    public const long Hz = 2_600_000_000;
    public static readonly WorldSwitchCosts Ws = new();

    public static long Ps(long cycles) => SimTime.FromCycles(cycles, Hz).Picoseconds;
    public static long Ps(IEnumerable<Step> steps) => steps.Sum(s => s.Picoseconds(Hz));
    public static long Ps(IEnumerable<Step> steps, TimeCategory c) => steps.Where(s => s.Category == c).Sum(s => s.Picoseconds(Hz));

    public static readonly PlatformConfiguration[] All = [PlatformConfiguration.Baseline, PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3];
}
