using System.Globalization;
using System.Text;
using System.Text.Json;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Run;

/// <summary>
/// A sweep: every combination is checked first (a bad value stops everything before any run, exit 2),
/// then run one after another as an ordinary run into DIR/run-NNN/; DIR/summary.csv gathers one row per
/// run (the swept values, status, digest, events, times and every metric). A failed run is recorded and
/// the others still run; the exit code is then 1.
/// </summary>
public static class SweepCommand
{
    public static int Execute(SweepPlan plan, string file, IReadOnlyList<Override> overrides, string outDir, TextWriter output, TextWriter error)
    {
        foreach (var run in plan.Runs) Experiment.From(ConfigLoader.Load(file, [.. overrides, .. run.Overrides])); // ConfigException → exit 2, nothing ran
        output.WriteLine($"sweep: {plan.Runs.Count} runs over {string.Join(", ", plan.Keys)}");
        var rows = new List<(SweepRun Run, int Code, JsonDocument? Json)>();
        int worst = 0;
        foreach (var run in plan.Runs)
        {
            var dir = Path.Combine(outDir, $"run-{run.Index:D3}");
            output.WriteLine($"run {run.Index}: {string.Join(" ", run.Settings.Select(s => $"{s.Key}={s.Value}"))}");
            int code = RunCommand.Execute(file, [.. overrides, .. run.Overrides], dir, output, error, sweep: false);
            worst = Math.Max(worst, code);
            var json = Path.Combine(dir, "results.json");
            rows.Add((run, code, File.Exists(json) ? JsonDocument.Parse(File.ReadAllText(json)) : null));
        }
        var summary = Path.Combine(outDir, "summary.csv");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(summary, Csv(plan, rows));
        output.WriteLine($"summary: {summary}");
        var notOk = rows.Where(r => r.Json != null && Status(r.Json) != "ok").Select(r => $"run {r.Run.Index} {Status(r.Json!)}").ToArray();
        if (notOk.Length > 0) output.WriteLine($"sweep: not every run finished its programs: {string.Join(", ", notOk)} (status in summary.csv)");
        var labels = rows.Select(r => string.Join(" ", r.Run.Settings.Select(s => s.Value))).ToArray();
        if (Results.SweepPlot.Write(outDir, labels, rows.Select(r => MetricsOf(r.Json)).ToArray()))
            output.WriteLine($"plot: {Path.Combine(outDir, "summary.png")} (and .svg)");
        if (Results.SweepLatencyPlot.Write(outDir, labels, rows.Select(r => MetricsOf(r.Json)).ToArray()))
            output.WriteLine($"plot: {Path.Combine(outDir, "latency.png")} (and .svg)");
        foreach (var (_, _, json) in rows) json?.Dispose();
        if (rows.Any(r => r.Code == Results.AttackReport.FindingExitCode))
        {
            output.WriteLine($"sweep: FINDINGS: an attack succeeded in {string.Join(", ", rows.Where(r => r.Code == Results.AttackReport.FindingExitCode).Select(r => $"run {r.Run.Index}"))}");
            return Results.AttackReport.FindingExitCode;
        }
        return worst == 0 ? 0 : 1;
    }

    private static string Csv(SweepPlan plan, List<(SweepRun Run, int Code, JsonDocument? Json)> rows)
    {
        var metrics = new List<string>();
        foreach (var (_, _, json) in rows)
            if (json != null && json.RootElement.TryGetProperty("metrics", out var m))
                foreach (var p in m.EnumerateObject()) if (!metrics.Contains(p.Name)) metrics.Add(p.Name);
        var attacks = new List<string>(); // one column per attempt: "attack.3.read-delegated/pool-address"
        foreach (var (_, _, json) in rows)
            foreach (var (column, _) in Results.AttackReport.Cells(json))
                if (!attacks.Contains(column)) attacks.Add(column);
        // Overheads against each run's baseline run (same settings, machine.configuration = baseline), where any run has one.
        var values = rows.Select(r => MetricsOf(r.Json)).ToArray();
        var baselines = Results.SweepOverhead.Baselines(rows.Select(r => r.Run.Settings).ToArray());
        double? Overhead(int row, string metric) => baselines[row] is int b && values[row] is { } run && values[b] is { } base_
            ? Results.SweepOverhead.Of(metric, run, base_) : null;
        var compared = Results.SweepOverhead.Compared(metrics, values.FirstOrDefault(v => v != null) ?? new Dictionary<string, double>()).Where(m => Enumerable.Range(0, rows.Count).Any(i => Overhead(i, m) != null)).ToArray();
        var sb = new StringBuilder();
        sb.AppendJoin(',', ["run", .. plan.Keys, "status", "unfinished_programs", "sync", "digest", "events", "simulated_ps", "host_s", .. metrics,
            .. compared.Select(m => Results.SweepOverhead.Prefix + m), .. attacks]).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            var (run, code, json) = rows[i];
            var r = json?.RootElement;
            string Get(string name) => r is { } e && e.TryGetProperty(name, out var v) ? v.ToString() : "";
            string Metric(string name) => r is { } e && e.TryGetProperty("metrics", out var m) && m.TryGetProperty(name, out var v)
                ? v.GetDouble().ToString("R", CultureInfo.InvariantCulture) : "";
            string status = json == null ? (code == 2 ? "config-error" : "failed") : Get("status");
            string unfinished = r is { } o && o.TryGetProperty("programs", out var p) ? p.GetProperty("unfinished").ToString() : "";
            // A lax row says so, with its bound on how late a message can be (ps): "lax<=4000".
            string sync = r is { } e2 && e2.TryGetProperty("sync", out var sy) && sy.TryGetProperty("mode", out var mode)
                ? mode.GetString() == "lax" && sy.TryGetProperty("shiftBoundPicoseconds", out var bound) ? $"lax<={bound}" : mode.GetString() ?? ""
                : "";
            sb.AppendJoin(',', [run.Index.ToString(CultureInfo.InvariantCulture), .. run.Settings.Select(s => Field(s.Value)), status, unfinished, sync, Get("digest"), Get("events"),
                Get("simulatedPicoseconds"), Get("hostSeconds"), .. metrics.Select(Metric),
                .. compared.Select(m => Overhead(i, m) is { } o ? o.ToString("R", CultureInfo.InvariantCulture) : ""), .. Attacks(json, attacks)]).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Attacks(JsonDocument? json, List<string> columns)
    {
        var cells = Results.AttackReport.Cells(json).ToDictionary(c => c.Column, c => c.Cell);
        return columns.Select(c => Field(cells.GetValueOrDefault(c, "")));
    }

    private static string Status(JsonDocument json) => json.RootElement.GetProperty("status").GetString() ?? "";

    private static IReadOnlyDictionary<string, double>? MetricsOf(JsonDocument? json) =>
        json != null && json.RootElement.TryGetProperty("metrics", out var m) ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : null;

    private static string Field(string v) => v.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{v.Replace("\"", "\"\"")}\"" : v;
}
