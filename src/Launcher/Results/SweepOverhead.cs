using System.Text.RegularExpressions;

namespace VirtCca.Launcher.Results;

/// <summary>
/// The overhead of each run of a sweep against its baseline: the run with the same other settings
/// whose <c>machine.configuration</c> is <c>baseline</c>. For throughput (<c>…per_s</c>) it is the loss,
/// 1 − run / baseline; for latency (<c>…_ps</c>) the growth, run / baseline − 1 — so positive is worse
/// for both. The metrics compared: a network's load in total (<c>load.total.per_s</c>, its p50, p99 and
/// p99.9), and the I/O throughput and block latency percentiles of each guest that serves no load.
/// </summary>
public static partial class SweepOverhead
{
    public const string Prefix = "overhead.";
    private const string ConfigurationKey = "machine.configuration";

    /// <summary>For each run, its baseline's index, or null (no baseline in the sweep, or the run is one).</summary>
    public static int?[] Baselines(IReadOnlyList<IReadOnlyList<(string Key, string Value)>> settings)
    {
        var result = new int?[settings.Count];
        for (int r = 0; r < settings.Count; r++)
        {
            if (!settings[r].Any(s => s.Key == ConfigurationKey) || Value(settings[r]) == "baseline") continue;
            for (int b = 0; b < settings.Count; b++)
                if (Value(settings[b]) == "baseline" && settings[b].Where(s => s.Key != ConfigurationKey).SequenceEqual(settings[r].Where(s => s.Key != ConfigurationKey)))
                { result[r] = b; break; }
        }
        return result;
    }

    private static string? Value(IReadOnlyList<(string Key, string Value)> settings) =>
        settings.Where(s => s.Key == ConfigurationKey).Select(s => s.Value).FirstOrDefault();

    /// <summary>The metrics an overhead is reported for, in the order the runs' metrics name them.</summary>
    public static IReadOnlyList<string> Compared(IEnumerable<string> metricNames, IReadOnlyDictionary<string, double> anyRun)
    {
        // A guest that answers load generators is covered by the load's totals; the others' own I/O is compared guest by guest.
        bool Own(string n) => GuestIo().Match(n) is { Success: true } m && anyRun.GetValueOrDefault($"guest.{m.Groups[1].Value}.io.served") == 0;
        return metricNames.Where(n => n == "load.total.per_s" || LoadLatency().IsMatch(n) || Own(n)).ToArray();
    }

    /// <summary>The overhead of <paramref name="run"/> against <paramref name="baseline"/> in <paramref name="metric"/>, or null when the baseline has none of it.</summary>
    public static double? Of(string metric, IReadOnlyDictionary<string, double> run, IReadOnlyDictionary<string, double> baseline)
    {
        if (!run.TryGetValue(metric, out var v) || !baseline.TryGetValue(metric, out var b) || b <= 0) return null;
        double ratio = v / b;
        return Math.Round(metric.EndsWith("per_s", StringComparison.Ordinal) ? 1 - ratio : ratio - 1, 4);
    }

    [GeneratedRegex(@"^load\.total\.latency\.p(50|99|999)_ps$")]
    private static partial Regex LoadLatency();

    [GeneratedRegex(@"^guest\.([^.]+)\.io\.((requests|bytes|rx_bytes|tx_bytes)_per_s|blk\.latency\.p(50|99|999)_ps)$")]
    private static partial Regex GuestIo();
}
