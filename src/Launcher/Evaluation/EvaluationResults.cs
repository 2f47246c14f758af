using System.Globalization;
using System.Text;
using System.Text.Json;
using VirtCca.Devices.Load;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Evaluation;

/// <summary>
/// One run's numbers as the evaluation reads them from its results.json: the workload's value (mean
/// request latency, or for a creation workload the time the realm became active), its latency
/// histogram, where the PEs' busy time went per request, and KVM's exits by reason per second.
/// </summary>
public sealed record EvaluationRow(EvaluationRun Run, string Status, string Digest, long SimulatedPs, double HostSeconds, IReadOnlyDictionary<string, double> Metrics)
{
    public static readonly (string Metric, string Label)[] TimeCategories =
        [("time.guest_ps", "guest"), ("time.kvm_ps", "host kernel / KVM (NS-EL2)"), ("time.monitor_ps", "EL3 monitor"), ("time.tmm_ps", "TMM")];

    public double M(string name) => Metrics.TryGetValue(name, out var v) ? v : 0;
    public double Requests => M("requests.count");
    /// <summary>The request latencies as results.json holds them: bucket counts, or (where the metrics were derived after the run) their percentiles only.</summary>
    private bool HasBuckets => Metrics.ContainsKey("requests.sum_ps");

    private LatencyHistogram? _latency;
    public LatencyHistogram Latency => _latency ??= LatencyHistogram.FromMetrics("requests", Metrics);

    /// <summary>The <paramref name="q"/> quantile of request latency (ps): from the buckets, or from the derived requests.p50/p99/p999/max_ps.</summary>
    public double Quantile(double q)
    {
        if (Requests <= 0) return double.NaN;
        if (HasBuckets) return Latency.Percentile(q);
        string key = q <= 0.5 ? "requests.p50_ps" : q <= 0.99 ? "requests.p99_ps" : q <= 0.999 ? "requests.p999_ps" : "requests.max_ps";
        return M(key);
    }

    /// <summary>The workload's value in picoseconds: lower is better.</summary>
    public double Value => Run.Workload.Metric == "creation"
        ? M($"guest.{Run.Workload.Name}.realm.activated_ps")
        : Requests <= 0 ? double.NaN : HasBuckets ? M("requests.sum_ps") / Requests : M("requests.mean_ps");

    public double BusyPs => TimeCategories.Sum(c => M(c.Metric));

    /// <summary>Busy time of a category per request (all of a run for a creation workload).</summary>
    public double PerRequest(string metric) => M(metric) / Math.Max(1, Requests);
    /// <summary>A time category's busy time per request while the guests ran (phase.run.*), without creating and destroying them.</summary>
    public double RunPerRequest(string timeMetric) => PerRequest("phase.run." + timeMetric["time.".Length..]);

    /// <summary>KVM's exits by reason (the exits.* metrics but the total), per second of simulated time.</summary>
    public IEnumerable<(string Reason, double PerSecond)> ExitsPerSecond =>
        Metrics.Where(kv => kv.Key.StartsWith("exits.", StringComparison.Ordinal) && kv.Key != "exits.total")
            .Select(kv => (kv.Key["exits.".Length..], SimulatedPs > 0 ? kv.Value / (SimulatedPs / 1e12) : 0));

    public static EvaluationRow Read(EvaluationRun run, string outDir, int code)
    {
        var path = Path.Combine(outDir, run.Dir, "results.json");
        if (!File.Exists(path)) return new(run, code == 2 ? "config-error" : "failed", "", 0, 0, new Dictionary<string, double>());
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        var metrics = r.TryGetProperty("metrics", out var m) ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : new Dictionary<string, double>();
        return new(run, r.GetProperty("status").GetString() ?? "", r.GetProperty("digest").GetString() ?? "",
            r.GetProperty("simulatedPicoseconds").GetInt64(), r.GetProperty("hostSeconds").GetDouble(), metrics);
    }
}

/// <summary>The rows of an evaluation with the comparisons between them, formatted once so that summary.csv and report.md print the same strings.</summary>
public sealed class EvaluationTable(EvaluationPlan plan, IReadOnlyList<EvaluationRow> rows)
{
    public EvaluationPlan Plan => plan;
    public IReadOnlyList<EvaluationRow> Rows => rows;

    public EvaluationRow? Find(string platform, PlatformConfiguration c, string workload) =>
        rows.FirstOrDefault(r => r.Run.Setup.Platform.Name == platform && r.Run.Configuration == c && r.Run.Workload.Name == workload && r.Status == "ok");

    /// <summary>Value against the same workload's on the same platform in <paramref name="against"/>, as a relative change (0.05 = 5 % slower); null when either is missing.</summary>
    public double? Overhead(EvaluationRow row, PlatformConfiguration against)
    {
        if (row.Status != "ok") return null;
        var b = Find(row.Run.Setup.Platform.Name, against, row.Run.Workload.Name);
        return b == null || !(b.Value > 0) || double.IsNaN(row.Value) ? null : row.Value / b.Value - 1;
    }

    public static string Percent(double? x) => x is { } v ? (v * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) : "";
    public static string Ns(double ps) => double.IsNaN(ps) ? "" : (ps / 1000).ToString("0.0", CultureInfo.InvariantCulture);
    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The evaluation's digest: SHA-256 over every run's digest, in run order.</summary>
    public string Digest => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(string.Join("\n", rows.Select(r => r.Digest)))));

    public const string OverheadColumn = "overhead_vs_against_pct";
    public const string NativeColumn = "overhead_vs_native_pct";

    public string Csv()
    {
        var metrics = rows.SelectMany(r => r.Metrics.Keys).Where(k => !k.StartsWith("requests.bucket.", StringComparison.Ordinal)).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendJoin(',', ["run", "platform", "configuration", "workload", "kind", "metric", "status", "digest", "simulated_ps", "host_s",
            "value_ns", "requests", "p50_ns", "p99_ns", "p999_ns", OverheadColumn, NativeColumn, .. metrics]).Append('\n');
        foreach (var r in rows)
        {
            bool any = r.Requests > 0;
            sb.AppendJoin(',', [r.Run.Index.ToString(CultureInfo.InvariantCulture), r.Run.Setup.Platform.Name, r.Run.Configuration.Name(), r.Run.Workload.Name,
                r.Run.Workload.Kind, r.Run.Workload.Metric, r.Status, r.Digest, r.SimulatedPs.ToString(CultureInfo.InvariantCulture), Num(r.HostSeconds),
                Ns(r.Value), Num(r.Requests), any ? Ns(r.Quantile(0.5)) : "", any ? Ns(r.Quantile(0.99)) : "", any ? Ns(r.Quantile(0.999)) : "",
                Percent(Overhead(r, plan.Against)), Percent(Overhead(r, PlatformConfiguration.Native)),
                .. metrics.Select(k => r.Metrics.TryGetValue(k, out var v) ? Num(v) : "")]).Append('\n');
        }
        return sb.ToString();
    }
}
