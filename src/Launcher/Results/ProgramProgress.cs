using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Launcher.Composition;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Results;

/// <summary>
/// Whether a machine run did what its guests' programs say. Each node reports, as metrics (so a
/// distributed run sums them like any other), the vCPUs whose program neither ended nor was powered
/// off, with how many operations each retired; the launcher places those counts in the programs
/// (loop iterations included) and decides the run's status:
/// <list type="bullet">
/// <item><c>ok</c> — every program ended (or its guest powered off) and nothing was left to happen;</item>
/// <item><c>truncated</c> — sim.end-time stopped it with events still to come;</item>
/// <item><c>stalled</c> — nothing was left to happen, yet programs had not ended (e.g. a WFI nobody wakes).</item>
/// </list>
/// </summary>
public static class ProgramProgress
{
    private const string Prefix = "program.unfinished.vcpu";
    private const string Suffix = ".ops_retired";

    /// <summary>On each node, from the components it ran: one entry per vCPU still inside its program.</summary>
    public static IEnumerable<KeyValuePair<string, double>> Metrics(Machine machine)
    {
        int k = 0; // machine-wide vCPU index: guests in order
        for (int g = 0; g < machine.Spec.Guests.Count; g++)
        {
            var vcpus = machine.GuestVcpus[g];
            for (int v = 0; v < vcpus.Length; v++, k++)
            {
                if (vcpus[v] is not { } vcpu || vcpu.Finished) continue;
                if (vcpu.ProgramOp is Serve { Requests: 0 }) continue; // a server with no end, waiting for requests that no longer come
                if (machine.Guests[g].Vcpus[v] is { Power: Kvm.Vcpus.VcpuPower.Stopped }) continue; // its guest powered off
                yield return new($"{Prefix}{k}{Suffix}", vcpu.OpsRetired);
            }
        }
    }

    /// <summary>The model's own metrics, without the progress entries; and those entries as (machine-wide vCPU, operations retired).</summary>
    public static (IReadOnlyList<KeyValuePair<string, double>>? Metrics, IReadOnlyList<(int Vcpu, long Retired)> Unfinished) Split(
        IReadOnlyList<KeyValuePair<string, double>>? metrics)
    {
        if (metrics == null) return (null, []);
        var unfinished = new List<(int, long)>();
        foreach (var (name, value) in metrics)
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), out int k))
                unfinished.Add((k, (long)value));
        unfinished.Sort();
        return (metrics.Where(m => !m.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToList(), unfinished);
    }

    public static RunOutcome Outcome(Experiment experiment, RunResult result, IReadOnlyList<(int Vcpu, long Retired)> unfinished)
    {
        if (experiment.Machine is not { } spec) return RunOutcome.Ok;
        var where = unfinished.Select(u => Place(spec, u.Vcpu, u.Retired)).ToArray();
        string status = result.EventsPending ? "truncated" : where.Length > 0 ? "stalled" : "ok";
        return new RunOutcome(status, spec.TotalVcpus, where, result.EventsPending ? experiment.EndLimit : null, result.LastEventTime);
    }

    /// <summary>Guest, vCPU and the operation at which <paramref name="retired"/> operations leave the program.</summary>
    public static UnfinishedProgram Place(MachineSpec spec, int vcpu, long retired)
    {
        int first = 0;
        foreach (var g in spec.Guests)
        {
            if (vcpu < first + g.Vcpus)
            {
                var loops = new List<(long Iteration, long Count)>();
                var place = Locate(g.Programs[vcpu - first], retired, "", loops);
                return new UnfinishedProgram(g.Name, vcpu - first, retired, place is { } p ? WorkloadReader.NameOf(p.Op) : "none", place?.At ?? "(end)", loops);
            }
            first += g.Vcpus;
        }
        return new UnfinishedProgram("?", vcpu, retired, "?", "?", []);
    }

    private static (string At, Op Op)? Locate(IReadOnlyList<Op> ops, long k, string prefix, List<(long, long)> loops)
    {
        for (int i = 0; i < ops.Count; i++)
        {
            long size = Leaves(ops[i]);
            if (k >= size) { k -= size; continue; }
            var at = ConfigPath.Index(prefix, i);
            if (ops[i] is not Loop loop) return (at, ops[i]);
            long perLap = Leaves(loop.Body);
            loops.Add((k / perLap + 1, loop.Count));
            return Locate(loop.Body, k % perLap, at + ".body", loops);
        }
        return null;
    }

    /// <summary>Operations the runner retires for this one (loops unrolled; saturating).</summary>
    private static long Leaves(Op op) => op is Loop l ? (l.Count <= 0 ? 0 : (long)Int128.Min((Int128)l.Count * Leaves(l.Body), long.MaxValue)) : 1;

    private static long Leaves(IReadOnlyList<Op> ops)
    {
        long n = 0;
        foreach (var op in ops) n = (long)Int128.Min((Int128)n + Leaves(op), long.MaxValue);
        return n;
    }
}

/// <summary>A vCPU program that had not ended: where it was.</summary>
public sealed record UnfinishedProgram(string Guest, int Vcpu, long OpsRetired, string Op, string At, IReadOnlyList<(long Iteration, long Count)> Loops)
{
    public string Describe() =>
        $"{Guest} vCPU {Vcpu}: at {At} ({Op}){string.Concat(Loops.Select(l => $", iteration {l.Iteration:N0} of {l.Count:N0}"))}; {OpsRetired:N0} operations retired";
}

/// <summary>How a run ended (see <see cref="ProgramProgress"/>).</summary>
public sealed record RunOutcome(string Status, int Vcpus, IReadOnlyList<UnfinishedProgram> Unfinished, SimTime? CutAt, SimTime LastEvent)
{
    public static RunOutcome Ok { get; } = new("ok", 0, [], null, default);

    /// <summary>Console lines saying why the status is not ok (none when it is).</summary>
    public IEnumerable<string> Explain(int maxPrograms = 8)
    {
        if (Status == "ok") yield break;
        string programs = Unfinished.Count == 0 ? "every program had ended" : $"{Unfinished.Count} of {Vcpus} vCPU programs had not ended";
        yield return Status == "truncated"
            ? $"status: truncated at sim.end-time = {SimTimeText(CutAt!.Value)} with events still to come; {programs}"
            : $"status: stalled at {SimTimeText(LastEvent)}: nothing was left to happen, but {programs}";
        foreach (var u in Unfinished.Take(maxPrograms)) yield return "  " + u.Describe();
        if (Unfinished.Count > maxPrograms) yield return $"  ... and {Unfinished.Count - maxPrograms} more (results.json lists them all)";
    }

    /// <summary>In the largest unit that keeps the number at least 1, as a config would write it: "2 ms", "20.407692 us".</summary>
    private static string SimTimeText(SimTime t)
    {
        var (unit, ps) = new[] { ("s", 1e12), ("ms", 1e9), ("us", 1e6), ("ns", 1e3) }.FirstOrDefault(u => t.Picoseconds >= u.Item2, ("ps", 1));
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Picoseconds / ps:0.#########} {unit}");
    }
}
