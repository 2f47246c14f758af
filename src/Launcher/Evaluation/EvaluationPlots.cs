using ScottPlot;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Evaluation;

/// <summary>
/// The evaluation's pictures (PNG and SVG): the overhead of every configuration against the VM per
/// workload; where the PEs' busy time went per request, against the VM's; request latency CDFs of the
/// macro workloads; KVM's exits per second by reason. Each returns the file names it wrote.
/// </summary>
public static class EvaluationPlots
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    private static string Series(EvaluationRow r) => $"{r.Run.Setup.Platform.Name} {r.Run.Configuration.Name()}";

    private static IReadOnlyList<string> Save(Plot plot, string dir, string name, int width, int height)
    {
        plot.SavePng(Path.Combine(dir, name + ".png"), width, height);
        plot.SaveSvg(Path.Combine(dir, name + ".svg"), width, height);
        return [name + ".png", name + ".svg"];
    }

    private static void Ticks(Plot plot, IReadOnlyList<string> labels)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 150;
    }

    /// <summary>
    /// Grouped bars: per workload of a kind (macro: overhead.png, micro: overhead-micro.png — exits cost
    /// several times a VM's, which would flatten the macro bars), one bar per platform and configuration,
    /// the overhead against the VM on its platform (%). Workloads with nothing to compare (realm-only) are left out.
    /// </summary>
    public static IReadOnlyList<string> Overhead(EvaluationTable t, string dir) =>
        [.. Overhead(t, dir, "macro", "overhead"), .. Overhead(t, dir, "micro", "overhead-micro")];

    private static IReadOnlyList<string> Overhead(EvaluationTable t, string dir, string kind, string name)
    {
        var plot = new Plot();
        var workloads = t.Plan.Workloads.Where(w => w.Kind == kind && t.Rows.Any(r => r.Run.Workload == w && r.Run.Configuration != t.Plan.Against && t.Overhead(r, t.Plan.Against) != null))
            .Select(w => w.Name).ToArray();
        if (workloads.Length == 0) return [];
        var series = t.Rows.Where(r => r.Run.Configuration != t.Plan.Against).Select(Series).Distinct().ToArray();
        double width = 0.8 / Math.Max(1, series.Length);
        for (int s = 0; s < series.Length; s++)
        {
            var color = Palette.GetColor(s);
            for (int w = 0; w < workloads.Length; w++)
            {
                var row = t.Rows.FirstOrDefault(r => Series(r) == series[s] && r.Run.Workload.Name == workloads[w]);
                if (row == null || t.Overhead(row, t.Plan.Against) is not { } o) continue;
                double x = w - 0.4 + width * (s + 0.5);
                plot.Add.Bar(new Bar { Position = x, Value = o * 100, FillColor = color, Size = width });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = color });
        }
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        Ticks(plot, workloads);
        plot.ShowLegend(Edge.Right);
        plot.YLabel($"overhead against {t.Plan.Against.Name()} on the same platform (%)");
        plot.Title($"Overhead against the VM, per {kind} workload and configuration");
        return Save(plot, dir, name, Math.Max(900, 110 * workloads.Length + 400), 650);
    }

    /// <summary>Stacked bars per run: busy time per request by category, relative to the VM's total on the same platform (VM = 1).</summary>
    public static IReadOnlyList<string> Breakdown(EvaluationTable t, string dir)
    {
        var plot = new Plot();
        var labels = new List<string>();
        int x = 0;
        foreach (var w in t.Plan.Workloads)
        {
            foreach (var r in t.Rows.Where(r => r.Run.Workload.Name == w.Name && r.Status == "ok"))
            {
                var vm = t.Find(r.Run.Setup.Platform.Name, t.Plan.Against, w.Name);
                double total = vm == null ? 0 : EvaluationRow.TimeCategories.Sum(c => vm.RunPerRequest(c.Metric));
                if (total <= 0) continue;
                double bottom = 0;
                for (int c = 0; c < EvaluationRow.TimeCategories.Length; c++)
                {
                    double v = r.RunPerRequest(EvaluationRow.TimeCategories[c].Metric) / total;
                    plot.Add.Bar(new Bar { Position = x, ValueBase = bottom, Value = bottom + v, FillColor = Palette.GetColor(c) });
                    bottom += v;
                }
                labels.Add($"{w.Name} {r.Run.Setup.Platform.Name} {r.Run.Configuration.Name()}");
                x++;
            }
        }
        for (int c = 0; c < EvaluationRow.TimeCategories.Length; c++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = EvaluationRow.TimeCategories[c].Label, FillColor = Palette.GetColor(c) });
        Ticks(plot, labels);
        plot.ShowLegend(Edge.Right);
        plot.YLabel("busy time per request (the VM on the same platform = 1)");
        plot.Title("Where the time went, per run");
        return Save(plot, dir, "breakdown", Math.Max(1200, 14 * labels.Count + 400), 800);
    }

    /// <summary>One CDF per macro workload: the fraction of requests at or below each latency, one line per platform and configuration.</summary>
    public static IReadOnlyList<string> LatencyCdfs(EvaluationTable t, string dir)
    {
        var files = new List<string>();
        foreach (var w in t.Plan.Workloads.Where(w => w.Kind == "macro" && w.Metric == "latency"))
        {
            var plot = new Plot();
            int s = 0;
            foreach (var r in t.Rows.Where(r => r.Run.Workload.Name == w.Name && r.Status == "ok" && r.Requests > 0))
            {
                var qs = Enumerable.Range(1, 200).Select(i => i / 200.0).ToArray();
                var xs = qs.Select(q => r.Quantile(q) / 1e6).ToArray(); // µs (coarse where only derived percentiles are kept)
                var line = plot.Add.Scatter(xs, qs);
                line.LegendText = Series(r);
                line.Color = Palette.GetColor(s++);
                line.MarkerSize = 0;
                line.ConnectStyle = ConnectStyle.StepHorizontal;
            }
            plot.XLabel("request latency (µs)");
            plot.YLabel("fraction of requests");
            plot.Title($"Request latency CDF: {w.Name}");
            plot.ShowLegend(Edge.Right);
            files.AddRange(Save(plot, dir, $"latency-cdf-{w.Name}", 1000, 500));
        }
        return files;
    }

    /// <summary>Stacked bars per run of the macro workloads: KVM's exits per simulated second, by reason.</summary>
    public static IReadOnlyList<string> ExitsPerSecond(EvaluationTable t, string dir)
    {
        var plot = new Plot();
        var rows = t.Rows.Where(r => r.Status == "ok" && r.Run.Workload.Kind == "macro").ToArray();
        var reasons = rows.SelectMany(r => r.ExitsPerSecond).Where(e => e.PerSecond > 0).Select(e => e.Reason).Distinct().Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            double bottom = 0;
            var byReason = rows[i].ExitsPerSecond.ToDictionary(e => e.Reason, e => e.PerSecond);
            for (int c = 0; c < reasons.Length; c++)
            {
                double v = byReason.GetValueOrDefault(reasons[c]) / 1000;
                if (v <= 0) continue;
                plot.Add.Bar(new Bar { Position = i, ValueBase = bottom, Value = bottom + v, FillColor = Palette.GetColor(c) });
                bottom += v;
            }
        }
        for (int c = 0; c < reasons.Length; c++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = reasons[c], FillColor = Palette.GetColor(c) });
        Ticks(plot, rows.Select(r => $"{r.Run.Workload.Name} {Series(r)}").ToArray());
        plot.ShowLegend(Edge.Right);
        plot.YLabel("exits per simulated second (thousands)");
        plot.Title("Exits per second by reason (macro workloads; native: the host kernel's traps)");
        return Save(plot, dir, "exits", Math.Max(1200, 14 * rows.Length + 400), 800);
    }
}
