using System.Text.Json;
using VirtCca.Interconnect;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Results;

/// <summary>The outcome of one run, printed as the RESULT line and written as results.json.</summary>
public sealed record RunReport(Experiment Experiment, RunResult Result, double TotalHostSeconds, string? Error = null, long? LastCompletedWindow = null)
{
    /// <summary>The model's own numbers (e.g. a machine's time breakdown and exits), when it ran wholly in this process.</summary>
    public IReadOnlyList<KeyValuePair<string, double>>? Metrics { get; init; }

    /// <summary>Whether the guests' programs ended (ok), or the run was cut by sim.end-time (truncated) or ran dry first (stalled).</summary>
    public RunOutcome Outcome { get; init; } = RunOutcome.Ok;

    /// <summary>The host's attacks in this run, attempt by attempt (null: the machine has none), and how many were planned.</summary>
    public IReadOnlyList<Kvm.Attacks.AttackOutcome>? Attacks { get; init; }
    public int AttacksPlanned { get; init; }

    /// <summary>sim.lax-shadow: the same experiment run exactly, to set against this lax run.</summary>
    public ShadowRun? Shadow { get; init; }

    /// <summary>Host time of the simulation proper (see <see cref="RunResult.HostSeconds"/>).</summary>
    public double HostSeconds => Result.HostSeconds;

    public double EventsPerSecond => HostSeconds > 0 ? Result.Events / HostSeconds : 0;

    public string ResultLine() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"RESULT digest={Result.Digest} events={Result.Events} host_s={HostSeconds:F3} events_per_s={EventsPerSecond:F0}");

    /// <summary>The metrics as an aligned two-column table on the console.</summary>
    public void WriteMetrics(TextWriter output)
    {
        if (Metrics == null) return;
        int width = Metrics.Max(m => m.Key.Length);
        foreach (var (name, value) in Metrics)
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {value,20:N0}"));
    }

    /// <summary>
    /// sync: the mode; the smallest link that crossed partitions in this run (the sequential engine:
    /// the smallest between placement groups; null when there is none); in lax mode the quantum, the
    /// bound on how much later than exact one message can be, and the shifts observed.
    /// </summary>
    private void WriteSync(Utf8JsonWriter w)
    {
        var sync = Result.Sync;
        w.WriteStartObject("sync");
        w.WriteString("mode", sync.Mode);
        long? lookahead = Result.Engine == "sequential" ? GroupLookahead() : sync.Lookahead;
        if (lookahead is { } l) w.WriteNumber("lookaheadPicoseconds", l); else w.WriteNull("lookaheadPicoseconds");
        if (sync.IsLax)
        {
            w.WriteNumber("quantumPicoseconds", sync.Quantum ?? 0);
            w.WriteNumber("shiftBoundPicoseconds", sync.ShiftBound);
            w.WriteNumber("maxShiftPicoseconds", sync.MaxShift);
            w.WriteNumber("shiftedMessages", sync.Shifted);
        }
        w.WriteEndObject();
    }

    private long? GroupLookahead()
    {
        var l = Experiment.ModelFactory().Topology.Lookahead;
        return l == SimTime.MaxValue ? null : l.Picoseconds;
    }

    /// <summary>The console's word on a lax run: approximate, by how much at most, and what moved.</summary>
    public string? LaxLine()
    {
        var s = Result.Sync;
        if (!s.IsLax) return null;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"lax: results approximate — a message between placement groups is delivered up to {Ps(s.ShiftBound)} later than exact (quantum {Ps(s.Quantum ?? 0)} minus the shortest link between groups); this run moved {s.Shifted:N0} messages, the largest by {Ps(s.MaxShift)}");
    }

    private static string Ps(long ps) => ps >= 1_000_000 ? $"{ps / 1e6:0.###} us" : ps >= 1_000 ? $"{ps / 1e3:0.###} ns" : $"{ps} ps";

    private double? Find(string name) => Metrics?.FirstOrDefault(m => m.Key == name) is { Key: not null } m ? m.Value : null;

    public void WriteJson(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "results.json");
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var k = Experiment.Kernel;
        w.WriteStartObject();
        w.WriteString("status", Error == null ? Outcome.Status : "failed");
        if (Error != null) w.WriteString("error", Error);
        if (LastCompletedWindow is { } lw) w.WriteNumber("lastCompletedWindow", lw);
        w.WriteString("digest", Result.Digest);
        w.WriteNumber("events", Result.Events);
        w.WriteNumber("windows", Result.Windows);
        w.WriteNumber("hostSeconds", Math.Round(HostSeconds, 6));
        w.WriteNumber("totalHostSeconds", Math.Round(TotalHostSeconds, 6));
        w.WriteNumber("eventsPerSecond", Math.Round(EventsPerSecond));
        w.WriteNumber("simulatedPicoseconds", Result.LastEventTime.Picoseconds);
        if (Experiment.EndLimit is { } limit) w.WriteNumber("endTimePicoseconds", limit.Picoseconds);
        else w.WriteNull("endTimePicoseconds");
        w.WriteString("engine", Result.Engine);
        w.WriteString("model", Experiment.Loaded.Config.GetString("model.type"));
        w.WriteNumber("partitions", Result.Partitions);
        w.WriteNumber("nodes", Result.Nodes);
        w.WriteNumber("threads", Result.Engine == "sequential" ? 1 : k.Threads);
        w.WriteBoolean("componentActors", Result.Engine != "sequential" && k.ComponentActors);
        WriteSync(w);
        w.WriteNumber("seed", k.Seed);
        if (Experiment.Machine != null && Error == null) WritePrograms(w);
        if (Metrics != null)
        {
            w.WriteStartObject("metrics");
            foreach (var (name, value) in Metrics) w.WriteNumber(name, value);
            if (Find("exits.total") is { } exits && HostSeconds > 0) w.WriteNumber("exits_per_host_second", Math.Round(exits / HostSeconds));
            w.WriteEndObject();
        }
        if (Attacks != null) AttackReport.WriteJson(w, Attacks, AttacksPlanned);
        if (Shadow != null) WriteShadowJson(w);
        w.WritePropertyName("config");
        HoconJson.Write(w, Experiment.Loaded.Config.Root);
        w.WriteEndObject();
    }

    /// <summary>"programs": how many vCPU programs there were, how many had not ended, and where each of those was.</summary>
    private void WritePrograms(Utf8JsonWriter w)
    {
        w.WriteStartObject("programs");
        w.WriteNumber("vcpus", Experiment.Machine!.TotalVcpus);
        w.WriteNumber("unfinished", Outcome.Unfinished.Count);
        w.WriteStartArray("where");
        foreach (var u in Outcome.Unfinished)
        {
            w.WriteStartObject();
            w.WriteString("guest", u.Guest);
            w.WriteNumber("vcpu", u.Vcpu);
            w.WriteString("op", u.Op);
            w.WriteString("at", u.At);
            w.WriteStartArray("loops");
            foreach (var (iteration, count) in u.Loops) w.WriteStringValue($"{iteration}/{count}");
            w.WriteEndArray();
            w.WriteNumber("opsRetired", u.OpsRetired);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Each compared quantity: events, simulated time, then every metric; exact value, lax value, lax − exact.</summary>
    public IEnumerable<(string Name, double Exact, double Lax)> ShadowRows()
    {
        if (Shadow == null) yield break;
        yield return ("events", Shadow.Result.Events, Result.Events);
        yield return ("simulated_ps", Shadow.Result.LastEventTime.Picoseconds, Result.LastEventTime.Picoseconds);
        var exact = Shadow.Metrics?.ToDictionary(m => m.Key, m => m.Value) ?? new Dictionary<string, double>();
        foreach (var (name, value) in Metrics ?? [])
            if (exact.TryGetValue(name, out var e)) yield return (name, e, value);
    }

    private void WriteShadowJson(Utf8JsonWriter w)
    {
        w.WriteStartObject("laxShadow");
        w.WriteString("exactDigest", Shadow!.Result.Digest);
        w.WriteNumber("exactHostSeconds", Math.Round(Shadow.Result.HostSeconds, 6));
        w.WriteStartObject("metrics");
        foreach (var (name, exact, lax) in ShadowRows())
        {
            w.WriteStartObject(name);
            w.WriteNumber("exact", exact);
            w.WriteNumber("lax", lax);
            w.WriteNumber("difference", lax - exact);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The shadow comparison as a console table (only rows that differ, and how many agree).</summary>
    public void WriteShadow(TextWriter output)
    {
        if (Shadow == null) return;
        var rows = ShadowRows().ToList();
        var differ = rows.Where(r => r.Exact != r.Lax).ToList();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"lax-shadow: exact run digest={Shadow.Result.Digest} host_s={Shadow.Result.HostSeconds:F3}; {rows.Count - differ.Count} of {rows.Count} quantities equal"));
        if (differ.Count == 0) return;
        int width = Math.Max(6, differ.Max(r => r.Name.Length));
        output.WriteLine($"  {"metric".PadRight(width)}  {"exact",20}  {"lax",20}  {"lax - exact",20}  {"change",8}");
        foreach (var (name, exact, lax) in differ)
        {
            string change = exact != 0 ? string.Create(inv, $"{(lax - exact) / Math.Abs(exact) * 100:+0.0;-0.0}%") : "";
            output.WriteLine(string.Create(inv, $"  {name.PadRight(width)}  {exact,20:N0}  {lax,20:N0}  {lax - exact,20:N0}  {change,8}"));
        }
    }
}

/// <summary>The exact run behind a lax one (sim.lax-shadow).</summary>
public sealed record ShadowRun(RunResult Result, IReadOnlyList<KeyValuePair<string, double>>? Metrics);
