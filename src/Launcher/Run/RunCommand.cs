using System.Diagnostics;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Cluster;
using VirtCca.Launcher.Cluster;
using VirtCca.Launcher.Composition;
using VirtCca.Launcher.Config;
using VirtCca.Launcher.Results;

namespace VirtCca.Launcher.Run;

/// <summary>`virtcca run`: load, run on the chosen engine and node count, print the RESULT line, write results.json.</summary>
public static class RunCommand
{
    /// <summary>Exit codes: 0 the run's programs ended or sim.end-time cut it (status ok / truncated), 1 a failed or stalled run, 2 a bad config, 3 an attack succeeded (a finding).</summary>
    public static int Execute(string file, IReadOnlyList<string> sets, string outDir, TextWriter output, TextWriter error)
    {
        List<Override> overrides;
        try { overrides = sets.Select(Override.FromSet).ToList(); }
        catch (ConfigException e) { error.WriteLine($"error: {e.Message}"); return 2; }
        return Execute(file, overrides, outDir, output, error, sweep: true);
    }

    /// <summary>
    /// One run, or with a non-empty <c>sweep { }</c> (and <paramref name="sweep"/>) one run per combination of its values, or
    /// with an <c>evaluation { }</c> the evaluation it describes. <paramref name="progress"/>, if given, takes the progress
    /// reports instead of the printed progress lines.
    /// </summary>
    public static int Execute(string file, IReadOnlyList<Override> overrides, string outDir, TextWriter output, TextWriter error, bool sweep,
        Action<RunProgress>? progress = null)
    {
        Experiment experiment;
        try
        {
            var loaded = ConfigLoader.Load(file, overrides);
            if (sweep && Evaluation.EvaluationPlan.From(loaded, file, overrides) is { } evaluation)
                return Evaluation.EvaluationCommand.Execute(evaluation, outDir, output, error);
            if (sweep && SweepPlan.From(loaded) is { Runs.Count: > 0 } plan) return SweepCommand.Execute(plan, file, overrides, outDir, output, error);
            experiment = Experiment.From(loaded);
        }
        catch (ConfigException e) { error.WriteLine($"error: {e.Message}"); return 2; }
        catch (SimulationException e) { error.WriteLine($"error: {file}: {e.Message}"); return 2; }
        catch (ArgumentException e) { error.WriteLine($"error: {file}: {e.Message}"); return 2; }

        progress ??= new ProgressPrinter(experiment.ProgressInterval, output).Report;
        var clock = Stopwatch.StartNew();
        RunReport report;
        Machine? machine = null;
        try
        {
            var result = Execute(experiment, progress, output, out var all, out var ran);
            machine = (ran as MachineModel)?.Machine;
            var (metrics, unfinished) = ProgramProgress.Split(all);
            double total = clock.Elapsed.TotalSeconds;
            ShadowRun? shadow = null;
            if (experiment.LaxShadow)
            {
                output.WriteLine("lax-shadow: running the same experiment exactly");
                var exact = experiment with { Kernel = experiment.Kernel with { Quantum = null } };
                shadow = new ShadowRun(Execute(exact, progress, output, out var exactAll), ProgramProgress.Split(exactAll).Metrics);
            }
            report = new RunReport(experiment, result, total)
            {
                Metrics = metrics, Outcome = ProgramProgress.Outcome(experiment, result, unfinished), Shadow = shadow,
                Attacks = machine?.Attacker?.Outcomes, AttacksPlanned = experiment.Machine?.Host.Attacks.Count ?? 0,
            };
        }
        catch (ClusterRunException e)
        {
            report = new RunReport(experiment, e.Partial, clock.Elapsed.TotalSeconds, e.Message, e.LastCompletedWindow);
            report.WriteJson(outDir);
            error.WriteLine($"error: {e.Message}");
            error.WriteLine($"partial results written to {Path.Combine(outDir, "results.json")}");
            return 1;
        }
        catch (SimulationException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        report.WriteJson(outDir);
        int tokens = machine != null ? AttestationExport.Write(machine, outDir) : 0;
        report.WriteMetrics(output);
        foreach (var line in report.Outcome.Explain()) output.WriteLine(line);
        if (report.Attacks != null) AttackReport.Write(output, error, report.Attacks, report.AttacksPlanned);
        report.WriteShadow(output);
        if (report.LaxLine() is { } lax) output.WriteLine(lax);
        output.WriteLine(report.ResultLine());
        output.WriteLine($"results: {Path.Combine(outDir, "results.json")}");
        if (tokens > 0) output.WriteLine($"attestation: {tokens} token(s) with platform-key.pem and expected.json in {Path.Combine(outDir, AttestationExport.Folder)}");
        if (AttackReport.AnySucceeded(report.Attacks)) return AttackReport.FindingExitCode;
        return report.Outcome.Status == "stalled" ? 1 : 0;
    }

    /// <summary>Runs the experiment; <paramref name="metrics"/> are the model's own numbers (summed over nodes in a distributed run).</summary>
    public static RunResult Execute(Experiment experiment, Action<RunProgress>? progress, TextWriter output,
        out IReadOnlyList<KeyValuePair<string, double>>? metrics) => Execute(experiment, progress, output, out metrics, out _);

    /// <param name="model">The model this process ran (null for a distributed run, whose parts ran elsewhere).</param>
    public static RunResult Execute(Experiment experiment, Action<RunProgress>? progress, TextWriter output,
        out IReadOnlyList<KeyValuePair<string, double>>? metrics, out ISimulationModel? model)
    {
        model = null;
        if (experiment.Cluster.Nodes > 1 && experiment.Engine != "sequential")
        {
            var distributed = ClusterLauncher.Run(experiment, progress, output);
            metrics = MetricDerivation.Apply(distributed.Metrics);
            return distributed;
        }
        model = experiment.ModelFactory();
        RunResult result;
        if (experiment.Engine == "sequential") result = SequentialEngine.Run(model, experiment.Kernel, progress);
        else
        {
            using var system = experiment.Kernel.ComponentActors ? ActorSystems.Local() : null;
            try { result = LocalEngine.Run(model, experiment.Kernel, system, progress); }
            finally { system?.Terminate().Wait(TimeSpan.FromSeconds(10)); }
        }
        metrics = MetricDerivation.Apply((model as IReportsMetrics)?.Metrics());
        return result;
    }
}
