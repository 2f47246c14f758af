using System.Globalization;
using ScottPlot;

namespace VirtCca.Launcher.Results;

/// <summary>
/// A sweep of a machine as a picture: one stacked bar per run of where the PEs' busy time went
/// (guest, KVM, EL3, TMM; idle left out), in milliseconds summed over the PEs, each labelled with its
/// busy time relative to the first run — the overhead against the baseline when the sweep starts there.
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
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, runLabels.Count).Select(i => (double)i).ToArray(), runLabels.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("busy time, all PEs (ms)");
        plot.Title("Where the time went, per run (× = busy time against the first run)");
        plot.SavePng(Path.Combine(dir, "summary.png"), 900, 500);
        plot.SaveSvg(Path.Combine(dir, "summary.svg"), 900, 500);
        return true;
    }
}
