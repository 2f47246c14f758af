using System.Text.RegularExpressions;
using VirtCca.Devices.Load;

namespace VirtCca.Launcher.Results;

/// <summary>
/// What is reported from the metrics once they are summed over nodes (a model's metrics must add up,
/// so it reports what adds up, and the rest is derived here, the same for one process or many):
/// <list type="bullet">
/// <item>a latency histogram (<c>P.count</c>, <c>P.sum_ps</c>, <c>P.bucket.N</c>, see <see cref="LatencyHistogram.ToMetrics"/>)
/// becomes <c>P.count</c>, <c>P.mean_ps</c>, <c>P.p50_ps</c>, <c>P.p99_ps</c>, <c>P.p999_ps</c>, <c>P.max_ps</c>;</item>
/// <item>a span (<c>P.first_ps</c>, <c>P.last_ps</c>, each from the one component that measured it) with
/// counts beside it (<c>P.requests</c>, <c>P.bytes</c>, <c>P.rx_bytes</c>, <c>P.served</c>, <c>P.completed</c>) gives
/// <c>P.*_per_s</c> over [first, last];</item>
/// <item>for load generators (<c>load.client.NAME.first_ps</c> / <c>last_ps</c>), the run's load window
/// (earliest first request, latest answer) gives every <c>load.*.completed</c> its <c>per_s</c>.</item>
/// </list>
/// </summary>
public static partial class MetricDerivation
{
    private static readonly string[] SpanCounts = ["requests", "bytes", "rx_bytes", "tx_bytes", "served", "completed", "rx_packets"];

    public static IReadOnlyList<KeyValuePair<string, double>>? Apply(IReadOnlyList<KeyValuePair<string, double>>? metrics)
    {
        if (metrics == null) return null;
        var byName = new Dictionary<string, double>();
        foreach (var (k, v) in metrics) byName[k] = v;
        var histograms = new HashSet<string>();
        foreach (var (k, _) in metrics)
            if (k.EndsWith(".sum_ps", StringComparison.Ordinal) && byName.ContainsKey(k[..^".sum_ps".Length] + ".count")) histograms.Add(k[..^".sum_ps".Length]);
        var result = new List<KeyValuePair<string, double>>(metrics.Count);
        var done = new HashSet<string>();
        var window = LoadWindow(byName);
        foreach (var (k, v) in metrics)
        {
            if (Bucket().Match(k) is { Success: true } b && histograms.Contains(b.Groups[1].Value)) continue;
            if (k.EndsWith(".sum_ps", StringComparison.Ordinal) && histograms.Contains(k[..^".sum_ps".Length])) continue;
            if (k.EndsWith(".count", StringComparison.Ordinal) && histograms.Contains(k[..^".count".Length]) is var isHist && isHist)
            {
                string p = k[..^".count".Length];
                if (!done.Add(p)) continue;
                var h = LatencyHistogram.FromMetrics(p, metrics.Where(m => m.Key.StartsWith(p + ".", StringComparison.Ordinal)));
                result.Add(new(k, v));
                result.Add(new($"{p}.mean_ps", Math.Round(h.Mean)));
                result.Add(new($"{p}.p50_ps", h.Percentile(0.50)));
                result.Add(new($"{p}.p99_ps", h.Percentile(0.99)));
                result.Add(new($"{p}.p999_ps", h.Percentile(0.999)));
                result.Add(new($"{p}.max_ps", h.Count == 0 ? 0 : h.Max));
                continue;
            }
            result.Add(new(k, v));
            if (k.EndsWith(".last_ps", StringComparison.Ordinal))
            {
                string p = k[..^".last_ps".Length];
                double span = (v - byName.GetValueOrDefault(p + ".first_ps")) / 1e12;
                foreach (var c in SpanCounts)
                    if (byName.TryGetValue($"{p}.{c}", out var n)) result.Add(new($"{p}.{c}_per_s", span > 0 ? Math.Round(n / span, 3) : 0));
            }
            if (window is { } w && k.StartsWith("load.", StringComparison.Ordinal) && k.EndsWith(".completed", StringComparison.Ordinal))
                result.Add(new(k[..^".completed".Length] + ".per_s", w > 0 ? Math.Round(v / w, 3) : 0));
        }
        if (window is { } span2) result.Add(new("load.window_ps", Math.Round(span2 * 1e12)));
        return result;
    }

    /// <summary>Seconds from the earliest request of any load generator to the latest answer, or null without generators.</summary>
    private static double? LoadWindow(Dictionary<string, double> m)
    {
        double first = double.MaxValue, last = double.MinValue;
        foreach (var (k, v) in m)
        {
            if (!k.StartsWith("load.client.", StringComparison.Ordinal)) continue;
            if (k.EndsWith(".first_ps", StringComparison.Ordinal) && m.GetValueOrDefault(k[..^".first_ps".Length] + ".completed") > 0) first = Math.Min(first, v);
            if (k.EndsWith(".last_ps", StringComparison.Ordinal) && m.GetValueOrDefault(k[..^".last_ps".Length] + ".completed") > 0) last = Math.Max(last, v);
        }
        return first == double.MaxValue ? null : (last - first) / 1e12;
    }

    [GeneratedRegex(@"^(.*)\.bucket\.\d+$")]
    private static partial Regex Bucket();
}
