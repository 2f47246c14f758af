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
        w.WriteStartObject("sync");
        var lookahead = Experiment.ModelFactory().Topology.Lookahead.Picoseconds;
        bool lax = k.Quantum is { } q && q.Picoseconds > lookahead;
        w.WriteString("mode", lax ? "lax" : "exact");
        w.WriteNumber("lookaheadPicoseconds", lookahead);
        w.WriteNumber("quantumPicoseconds", k.Quantum?.Picoseconds ?? lookahead);
        w.WriteEndObject();
        w.WriteNumber("seed", k.Seed);
        if (Experiment.Machine != null && Error == null) WritePrograms(w);
        if (Metrics != null)
        {
            w.WriteStartObject("metrics");
            foreach (var (name, value) in Metrics) w.WriteNumber(name, value);
            if (Find("exits.total") is { } exits && HostSeconds > 0) w.WriteNumber("exits_per_host_second", Math.Round(exits / HostSeconds));
            w.WriteEndObject();
        }
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
}
