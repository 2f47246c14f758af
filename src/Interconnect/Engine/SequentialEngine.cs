namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The reference engine and oracle: every component in one thread over one priority queue ordered by
/// (time, source, sequence) — the textbook event loop. It runs the same component code as the actor
/// engine; for every model both must give the same digest.
/// </summary>
public static class SequentialEngine
{
    public const string Name = "sequential";

    public static RunResult Run(ISimulationModel model, KernelSettings settings,
        Action<RunProgress>? progress = null, CancellationToken cancel = default)
    {
        if (settings.Quantum is { } q && q > model.Topology.Lookahead && model.Topology.Lookahead != SimTime.MaxValue)
            throw new SimulationException("the sequential engine runs exact synchronisation only; remove sim.quantum or use sim.engine = actors");
        var queue = new GlobalQueue(model.Topology.Count);
        var hosts = new ComponentHost[model.Topology.Count];
        for (int id = 0; id < hosts.Length; id++)
            hosts[id] = new ComponentHost(id, model.CreateComponent(id), model.Topology, settings.Seed, queue, settings.PayloadCodec == PayloadCodec.Always);
        queue.Hosts = hosts;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var h in hosts) h.Start();

        long end = settings.EndTime.Picoseconds, events = 0, last = 0;
        var heap = queue.Heap;
        while (heap.Count > 0 && heap.MinTime < end)
        {
            var e = heap.Pop();
            hosts[e.Target].Deliver(e);
            last = e.Time;
            if ((++events & 0xFFFFF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Invoke(new RunProgress(0, events, new SimTime(e.Time)));
            }
        }
        return new RunResult(Name, TraceDigest.Combine(hosts.Select(h => (h.Self, h.Digest))), events, 0,
            new SimTime(last), 1, 1, clock.Elapsed.TotalSeconds) { EventsPending = heap.Count > 0 };
    }

    private sealed class GlobalQueue(int count) : IEventRouter
    {
        public readonly EventHeap Heap = new(Math.Max(16, count * 4));
        public ComponentHost[] Hosts = [];
        public void Route(in SimEvent e) => Heap.Push(e);
        public Component? LocalComponent(int id) => (uint)id < (uint)Hosts.Length ? Hosts[id].Component : null;
    }
}
