using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;

namespace VirtCca.Launcher.Results;

/// <summary>
/// A sweep of I/O as a picture: per run, the p50, p99 and p99.9 latency (µs) of the network's load in
/// total — or, without load generators, of each guest's block requests — as grouped bars, each group
/// labelled with its throughput (requests per second).
/// </summary>
public static partial class SweepLatencyPlot
{
    private static readonly (string Suffix, string Label, string Color)[] Percentiles =
    [
        ("p50_ps", "p50", "#4C72B0"),
        ("p99_ps", "p99", "#DD8452"),
        ("p999_ps", "p99.9", "#C44E52"),
    ];

    /// <summary>The latency histograms to show (their prefixes) with the throughput metric beside each.</summary>
    public static IReadOnlyList<(string Latency, string Throughput, string Name)> Series(IReadOnlyDictionary<string, double> metrics)
    {
        if (metrics.GetValueOrDefault("load.total.latency.count") > 0) return [("load.total.latency", "load.total.per_s", "")];
        return metrics.Keys.Select(k => GuestBlk().Match(k)).Where(m => m.Success && metrics[m.Value] > 0)
            .Select(m => ($"guest.{m.Groups[1].Value}.io.blk.latency", $"guest.{m.Groups[1].Value}.io.requests_per_s", m.Groups[1].Value)).ToArray();
    }

    /// <summary>Writes DIR/latency.png and .svg; false (nothing written) when the runs measured no latency.</summary>
    public static bool Write(string dir, IReadOnlyList<string> runLabels, IReadOnlyList<IReadOnlyDictionary<string, double>?> metrics)
    {
        if (metrics.Count == 0 || metrics.Any(m => m == null)) return false;
        var series = Series(metrics[0]!);
        if (series.Count == 0) return false;
        var plot = new Plot();
        int width = series.Count * (Percentiles.Length + 1);
        double top = 0;
        for (int r = 0; r < metrics.Count; r++)
            for (int s = 0; s < series.Count; s++)
            {
                var m = metrics[r]!;
                double x0 = r * (width + 1) + s * (Percentiles.Length + 1);
                for (int p = 0; p < Percentiles.Length; p++)
                {
                    double us = m.GetValueOrDefault($"{series[s].Latency}.{Percentiles[p].Suffix}") / 1e6;
                    plot.Add.Bar(new Bar { Position = x0 + p, Value = us, FillColor = Color.FromHex(Percentiles[p].Color) });
                    top = Math.Max(top, us);
                }
                string rate = string.Create(CultureInfo.InvariantCulture, $"{series[s].Name}{(series[s].Name.Length > 0 ? " " : "")}{m.GetValueOrDefault(series[s].Throughput) / 1e3:0.#} k/s");
                var text = plot.Add.Text(rate, x0 + 1, m.GetValueOrDefault($"{series[s].Latency}.p999_ps") / 1e6);
                text.LabelAlignment = Alignment.LowerCenter;
                text.LabelFontSize = 10;
            }
        foreach (var (_, label, color) in Percentiles) plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = Color.FromHex(color) });
        plot.ShowLegend(Edge.Right);
        double centre = (width - 2) / 2.0;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, runLabels.Count).Select(i => i * (width + 1) + centre).ToArray(), runLabels.ToArray());
        plot.Axes.SetLimitsY(0, top * 1.15);
        plot.YLabel("latency (µs)");
        plot.Title("Latency percentiles per run (label: throughput)");
        plot.SavePng(Path.Combine(dir, "latency.png"), 900, 500);
        plot.SaveSvg(Path.Combine(dir, "latency.svg"), 900, 500);
        return true;
    }

    [GeneratedRegex(@"^guest\.([^.]+)\.io\.blk\.latency\.count$")]
    private static partial Regex GuestBlk();
}
