using Google.Protobuf;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Cores.Tests;

/// <summary>
/// Test-only stand-in for the machine's TMM: answers every SMC request and realm trap after a fixed,
/// configured cost (REC_ENTER: entry marshalling, a realm trap or RSI_HOST_CALL: exit marshalling and
/// an exit record of the trap's kind, anything else: the command base), with X0 = RMI_SUCCESS.
/// </summary>
internal sealed class TmmStandIn(WorldSwitchCosts costs, long hz = 2_600_000_000) : Component
{
    public readonly List<string> Log = new();

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        var reply = new SmcReply();
        long cycles;
        if (ev.Kind == SmcKinds.RealmTrap)
        {
            (reply.Fid, cycles, reply.RecExit) = (RmiFid.RecEnter, costs.TmmExitMarshal, ExitOf(RealmTrap.Parser.ParseFrom(ev.Data ?? [])));
        }
        else if (ev.Kind == SmcKinds.Request)
        {
            var r = SmcRequest.Parser.ParseFrom(ev.Data ?? []);
            (reply.Fid, cycles) = (r.Fid, r.Fid == RmiFid.RecEnter ? costs.TmmEntryMarshal : costs.TmmCommandBase);
            if (r.Fid == RsiFid.HostCall) (cycles, reply.RecExit) = (costs.TmmExitMarshal, new RecExitRecord { Reason = 5 });
            if (r.Fid == RmiFid.Version) reply.X1 = RmiFid.Version10;
        }
        else throw new InvalidOperationException($"TMM stand-in got kind 0x{ev.Kind:X}");
        var cost = SimTime.FromCycles(cycles, hz);
        Log.Add($"{ev.Time}:{ev.Kind:X}:{reply.Fid:X}");
        reply.TmmPicoseconds = cost.Picoseconds;
        ctx.Send(ev.Source, SmcKinds.Reply, ev.Arg, reply.ToByteArray(), cost);
    }

    /// <summary>The exit record a TMM writes for each kind of trap (RMM v1.0 §5.2), reduced to what KVM dispatches on.</summary>
    private static RecExitRecord ExitOf(RealmTrap t) => t.Kind switch
    {
        TrapKind.TrapDataAbort => new() { Reason = 0, Esr = 0x24UL << 26 | 1UL << 24 | (t.Write ? 1UL << 6 : 0), Hpfar = t.Address >> 8 },
        TrapKind.TrapWfi => new() { Reason = 0, Esr = 0x01UL << 26 },
        TrapKind.TrapSysregWrite => new() { Reason = 0, Esr = 0x18UL << 26 | t.Iss, Gprs = { t.Value } },
        _ => new() { Reason = 1 },
    };
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
