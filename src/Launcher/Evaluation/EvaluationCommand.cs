using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using VirtCca.Launcher.Config;
using VirtCca.Launcher.Run;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Evaluation;

/// <summary>
/// `virtcca run` of an experiment with an <c>evaluation { }</c>: every run checked first (a bad one
/// stops everything, exit 2), then run one after another into DIR/run-NNN/ under one live progress bar
/// (runs done, the current run's simulated time, time left), then DIR/summary.csv, the plots and
/// DIR/report.md, and a final table of the overheads. A failed run is recorded and the rest still run
/// (exit 1). The console is display only: it never changes what runs.
/// </summary>
public static class EvaluationCommand
{
    public static int Execute(EvaluationPlan plan, string outDir, TextWriter output, TextWriter error)
    {
        foreach (var run in plan.Runs) Experiment.From(ConfigLoader.Load(plan.File, run.Overrides)); // ConfigException → exit 2, nothing ran
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = output == Console.Out && !Console.IsOutputRedirected ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = output == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        });
        if (console.Profile.Capabilities.Interactive == false) console.Profile.Width = 200; // a file or pipe: no wrapping of the final table
        console.WriteLine($"evaluation: {plan.Runs.Count} runs ({plan.Setups.Count} platforms, {plan.Workloads.Count} workloads, scale {plan.Scale.ToString("0.####", CultureInfo.InvariantCulture)})");
        Directory.CreateDirectory(outDir);
        var codes = new int[plan.Runs.Count];
        var clock = Stopwatch.StartNew();
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("runs", maxValue: plan.Runs.Count);
                foreach (var run in plan.Runs)
                {
                    string head = $"run {run.Index + 1}/{plan.Runs.Count} {Markup.Escape(run.Label)}";
                    task.Description = head;
                    var errors = new StringWriter();
                    codes[run.Index] = RunCommand.Execute(plan.File, run.Overrides, Path.Combine(outDir, run.Dir), TextWriter.Null, errors, sweep: false,
                        progress: p => task.Description = $"{head} — simulated {p.Now.Picoseconds / 1e9:F3} ms");
                    if (errors.ToString() is { Length: > 0 } e) error.Write($"run {run.Index} ({run.Label}): {e}");
                    task.Increment(1);
                }
            });

        var rows = plan.Runs.Select(r => EvaluationRow.Read(r, outDir, codes[r.Index])).ToArray();
        var table = new EvaluationTable(plan, rows);
        File.WriteAllText(Path.Combine(outDir, "summary.csv"), table.Csv());
        var plots = new List<string>();
        plots.AddRange(EvaluationPlots.Overhead(table, outDir));
        plots.AddRange(EvaluationPlots.Breakdown(table, outDir));
        plots.AddRange(EvaluationPlots.LatencyCdfs(table, outDir));
        plots.AddRange(EvaluationPlots.ExitsPerSecond(table, outDir));
        File.WriteAllText(Path.Combine(outDir, "report.md"), EvaluationReport.Write(table, Command(plan, outDir), plots));

        Final(console, table);
        console.WriteLine($"evaluation digest: {table.Digest}");
        console.WriteLine($"host time: {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        console.WriteLine($"summary: {Path.Combine(outDir, "summary.csv")}");
        console.WriteLine($"report: {Path.Combine(outDir, "report.md")} ({plots.Count} plot files beside it)");
        var notOk = rows.Where(r => r.Status != "ok").Select(r => $"run {r.Run.Index} {r.Status}").ToArray();
        if (notOk.Length > 0) console.WriteLine($"evaluation: not every run finished its programs: {string.Join(", ", notOk)}");
        return codes.Any(c => c != 0) ? 1 : 0;
    }

    /// <summary>The command that reproduces this evaluation.</summary>
    private static string Command(EvaluationPlan plan, string outDir)
    {
        var sets = plan.Overrides.Select(o => $" --set {o.Key}={o.Value}");
        static string Shown(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path) is var rel && !rel.StartsWith("..", StringComparison.Ordinal) ? rel : Path.GetFullPath(path);
        return $"virtcca run {Shown(plan.File)}{string.Concat(sets)} --out {Shown(outDir)}";
    }

    /// <summary>The overheads as a table: one row per workload, one column per platform and configuration.</summary>
    private static void Final(IAnsiConsole console, EvaluationTable t)
    {
        var table = new Table().Title($"overhead against {t.Plan.Against.Name()} (%); where there is none to compare with, the value (mean request latency or creation time)").AddColumn("workload");
        var cols = t.Plan.Setups.SelectMany(s => s.Configurations.Select(c => (s.Platform.Name, c))).ToArray();
        foreach (var (p, c) in cols) table.AddColumn(new TableColumn($"{p}\n{c.Name()}").RightAligned());
        foreach (var w in t.Plan.Workloads)
        {
            var cells = new List<string> { w.Name };
            foreach (var (p, c) in cols)
            {
                var r = t.Find(p, c, w.Name);
                cells.Add(r == null ? "—" : c != t.Plan.Against && t.Overhead(r, t.Plan.Against) is { } o ? EvaluationTable.Percent(o)
                    : (r.Value / 1e6).ToString("0.###", CultureInfo.InvariantCulture) + " µs");
            }
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
    }
}
