using Akka.Actor;

namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The actor engine in one process: the global window loop over this process's partitions. A window
/// starts at T, the earliest pending event anywhere (empty stretches of simulated time are skipped,
/// never ticked through), and ends where <see cref="WindowPlan"/> says: exact, at the earliest time
/// one partition can reach another; lax, at T + quantum.
/// </summary>
public static class LocalEngine
{
    public const string Name = "actors";

    public static RunResult Run(ISimulationModel model, KernelSettings settings, ActorSystem? system,
        Action<RunProgress>? progress = null, CancellationToken cancel = default) =>
        Run(model, settings, system, progress, cancel, out _);

    /// <param name="throughActor">Events delivered through a component's actor because it held other mail.</param>
    internal static RunResult Run(ISimulationModel model, KernelSettings settings, ActorSystem? system,
        Action<RunProgress>? progress, CancellationToken cancel, out long throughActor)
    {
        int partitions = Math.Max(1, settings.Partitions);
        using var runner = new WindowRunner(model, settings, partitions, Enumerable.Range(0, partitions).ToArray(), system);
        var plan = runner.Plan;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        runner.Start();
        runner.FlushRemote(null);
        long end = settings.EndTime.Picoseconds;
        long windows = 0, reported = 0, t;
        while (true)
        {
            t = runner.Next(out long reach);
            if (t >= end) break;
            long wEnd = Math.Min(end, plan.Lax ? plan.LaxEnd(t) : reach);
            runner.RunWindow(wEnd, null);
            windows++;
            if ((windows & 0xFFF) == 0 || runner.Events - reported >= settings.PauseEvents)
            {
                reported = runner.Events;
                cancel.ThrowIfCancellationRequested();
                progress?.Invoke(new RunProgress(windows, runner.Events, new SimTime(t)));
            }
        }
        var (shifted, maxShift) = runner.Shifts();
        throughActor = runner.ThroughActor;
        return new RunResult(Name, TraceDigest.Combine(runner.Digests()), runner.Events, windows,
            new SimTime(runner.LastEventTime()), partitions, 1, clock.Elapsed.TotalSeconds) { Sync = plan.Report(shifted, maxShift), EventsPending = t != long.MaxValue };
    }
}
