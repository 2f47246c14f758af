using System.Globalization;
using ScottPlot;

namespace VirtCca.Launcher.Results;

/// <summary>
/// A sweep of a machine as a picture: one stacked bar per run of where the PEs' busy time went
/// (guest, KVM, EL3, TMM; idle left out), in milliseconds summed over the PEs, each labelled with its
/// busy time relative to the first run — the overhead against the baseline when the sweep starts there.
/// The legend sits beside the plot, off the bars and their labels. Guest time dominates, so against a
/// zero-based axis the overhead slices are slivers: the axis starts a little below the shortest guest
/// slice instead (<see cref="AxisBase"/>) — so no slice is hidden below it — and its label says where.
/// </summary>
public static class SweepPlot
{
    private static readonly (string Metric, string Label, string Color)[] Categories =
    [
        ("time.guest_ps", "guest", "#4C72B0"),
        ("time.kvm_ps", "KVM (NS-EL2)", "#DD8452"),
        ("time.monitor_ps", "EL3 monitor", "#C44E52"),
        ("time.tmm_ps", "TMM", "#55A868"),
    ];

    /// <summary>Writes DIR/summary.png and .svg; false (nothing written) when the runs report no time breakdown.</summary>
    public static bool Write(string dir, IReadOnlyList<string> runLabels, IReadOnlyList<IReadOnlyDictionary<string, double>?> metrics)
    {
        if (metrics.Count == 0 || metrics.Any(m => m == null || !Categories.All(c => m.ContainsKey(c.Metric)))) return false;
        var plot = new Plot();
        double firstBusy = Categories.Sum(c => metrics[0]![c.Metric]);
        var totals = metrics.Select(m => Categories.Sum(c => m![c.Metric]) / 1e9).ToArray();
        var guest = metrics.Select(m => m![Categories[0].Metric] / 1e9).ToArray();
        for (int r = 0; r < metrics.Count; r++)
        {
            double bottom = 0;
            foreach (var (metric, _, color) in Categories)
            {
                double ms = metrics[r]![metric] / 1e9;
                plot.Add.Bar(new Bar { Position = r, ValueBase = bottom, Value = bottom + ms, FillColor = Color.FromHex(color) });
                bottom += ms;
            }
            string ratio = firstBusy > 0 ? (bottom * 1e9 / firstBusy).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";
            var text = plot.Add.Text(ratio, r, bottom);
            text.LabelAlignment = Alignment.LowerCenter;
        }
        foreach (var (_, label, color) in Categories) plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = Color.FromHex(color) });
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, runLabels.Count).Select(i => (double)i).ToArray(), runLabels.ToArray());
        double axisBase = AxisBase(guest, totals);
        plot.Axes.SetLimitsY(axisBase, totals.Max() * 1.08); // room above the tallest bar for its label
        plot.Axes.SetLimitsX(-0.6, runLabels.Count - 0.4);
        plot.YLabel(YLabel(axisBase));
        plot.Title("Where the time went, per run (× = busy time against the first run)");
        plot.SavePng(Path.Combine(dir, "summary.png"), 900, 500);
        plot.SaveSvg(Path.Combine(dir, "summary.svg"), 900, 500);
        return true;
    }

    /// <summary>
    /// Where the busy-time axis starts: 90 % of the shortest bottom (guest) slice, rounded down to two
    /// significant digits (10.9 ms → 9.8 ms), so every slice keeps some height — or zero when that
    /// would be under a fifth of the tallest bar anyway.
    /// </summary>
    public static double AxisBase(IReadOnlyList<double> bottoms, IReadOnlyList<double> totals)
    {
        double low = bottoms.Min() * 0.9, high = totals.Max();
        if (low <= 0 || low < 0.2 * high) return 0;
        double step = Math.Pow(10, Math.Floor(Math.Log10(low)) - 1);
        return Math.Floor(low / step) * step;
    }

    public static string YLabel(double axisBase) => axisBase > 0
        ? string.Create(CultureInfo.InvariantCulture, $"busy time, all PEs (ms; axis from {axisBase:0.###}, not 0)")
        : "busy time, all PEs (ms)";
}
