using Akka.Actor;

namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The actor engine in one process: the global window loop over this process's partitions.
/// Conservative windows [T, T + lookahead) (or [T, T + quantum) in lax mode) where T is the earliest
/// pending event anywhere, so empty stretches of simulated time are skipped, never ticked through.
/// </summary>
public static class LocalEngine
{
    public const string Name = "actors";

    public static RunResult Run(ISimulationModel model, KernelSettings settings, ActorSystem? system,
        Action<RunProgress>? progress = null, CancellationToken cancel = default)
    {
        var window = WindowWidth(model.Topology, settings);
        int partitions = Math.Max(1, settings.Partitions);
        using var runner = new WindowRunner(model, settings, partitions, Enumerable.Range(0, partitions).ToArray(), system);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        runner.Start();
        runner.FlushRemote(null);
        long end = settings.EndTime.Picoseconds;
        long windows = 0, t;
        while (true)
        {
            t = runner.NextTime();
            if (t >= end) break;
            long wEnd = t > end - window ? end : t + window;
            runner.RunWindow(wEnd, null);
            windows++;
            if ((windows & 0xFFF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Invoke(new RunProgress(windows, runner.Events, new SimTime(t)));
            }
        }
        return new RunResult(Name, TraceDigest.Combine(runner.Digests()), runner.Events, windows,
            new SimTime(runner.LastEventTime()), partitions, 1, clock.Elapsed.TotalSeconds) { EventsPending = t != long.MaxValue };
    }

    /// <summary>The window width: the lookahead, or the quantum when lax synchronisation asks for a wider one.</summary>
    public static long WindowWidth(Topology topology, KernelSettings settings)
    {
        long l = topology.Lookahead.Picoseconds;
        if (settings.Quantum is not { } q) return l;
        if (q.Picoseconds < l)
            throw new SimulationException($"sim.quantum {q.Picoseconds} ps is smaller than the lookahead {l} ps; the quantum must be >= the lookahead");
        return q.Picoseconds;
    }
}
