using Akka.Actor;

namespace VirtCca.Interconnect.Engine;

/// <summary>
/// Runs this process's partitions through windows: absorb, run (on one thread or split over the
/// worker threads), then move every outbox to its destination — local partitions directly, remote
/// ones into per-destination batches for the caller to send. The caller decides the window bounds.
/// </summary>
internal sealed class WindowRunner : IDisposable
{
    private readonly Partition?[] _all;
    private readonly List<Partition> _local = new();
    private readonly List<Partition>[] _byThread;
    private readonly WorkerThread[] _workers;
    private readonly Stack<Outbox> _pool = new();
    private readonly KernelSettings _settings;
    private readonly List<ComponentHost> _hosts = new();
    private long _lastWindowEvents = long.MaxValue;
    private ActorSystem? _system;
    private bool _started;
    private static int s_runs;

    /// <param name="localPartitions">Global indices of the partitions this process runs.</param>
    public WindowRunner(ISimulationModel model, KernelSettings settings, int totalPartitions, IReadOnlyList<int> localPartitions,
        ActorSystem? system)
    {
        _settings = settings;
        var topology = model.Topology;
        PartitionOf = Placement.PartitionOf(topology, totalPartitions);
        _all = new Partition?[totalPartitions];
        foreach (int p in localPartitions)
        {
            var part = new Partition(p, totalPartitions, PartitionOf, topology.Count) { Lax = settings.Quantum is { } q && q > topology.Lookahead };
            _all[p] = part;
            _local.Add(part);
        }
        for (int id = 0; id < topology.Count; id++)
        {
            var part = _all[PartitionOf[id]];
            if (part == null) continue;
            var host = new ComponentHost(id, model.CreateComponent(id), topology, settings.Seed, part);
            part.Add(host);
            _hosts.Add(host);
        }
        if (settings.ComponentActors)
        {
            if (system == null) throw new ArgumentException("component actors need an actor system", nameof(system));
            _system = system;
            int run = Interlocked.Increment(ref s_runs);
            foreach (var h in _hosts)
                h.Actor = system.ActorOf(ComponentActor.PropsFor(h), $"run{run}-component-{h.Self}");
            // Top-level actors start asynchronously; a window must never be queued behind that start,
            // or it would run on another thread. One Identify round trip per actor waits it out.
            var started = _hosts.Select(h => h.Actor!.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(30))).ToArray();
            Task.WaitAll(started);
        }

        int threads = Math.Max(1, Math.Min(settings.Threads, _local.Count));
        _byThread = new List<Partition>[threads];
        for (int t = 0; t < threads; t++) _byThread[t] = new();
        for (int i = 0; i < _local.Count; i++) _byThread[i % threads].Add(_local[i]);
        _workers = new WorkerThread[threads - 1];
        for (int t = 1; t < threads; t++) _workers[t - 1] = new WorkerThread($"virtcca-partition-{t}");
    }

    public int[] PartitionOf { get; }
    public IReadOnlyList<Partition> Local => _local;
    public long Events { get; private set; }

    /// <summary>Starts every component (time zero); events for remote partitions wait for <see cref="FlushRemote"/>.</summary>
    public void Start()
    {
        foreach (var p in _local) p.StartComponents();
        _started = true;
    }

    /// <summary>Moves pending outboxes to their destinations; remote ones go to <paramref name="remote"/>.</summary>
    public void FlushRemote(Action<int, Outbox>? remote) => Exchange(remote);

    /// <summary>Earliest pending event of this process (remote batches not included).</summary>
    public long NextTime()
    {
        long t = long.MaxValue;
        foreach (var p in _local) { long n = p.NextTime; if (n < t) t = n; }
        return t;
    }

    /// <summary>Runs the window ending at <paramref name="end"/>; remote outboxes go to <paramref name="remote"/>.</summary>
    public void RunWindow(long end, Action<int, Outbox>? remote)
    {
        if (!_started) throw new InvalidOperationException("Start the runner before running windows");
        var msg = _settings.ComponentActors ? new RunWindow(end) : null;
        if (_workers.Length == 0 || _lastWindowEvents < _settings.ParallelThreshold)
            foreach (var p in _local) p.RunWindow(end, msg);
        else
            RunSplit(end, msg);
        long n = 0;
        foreach (var p in _local) n += p.LastWindowEvents;
        _lastWindowEvents = n;
        Events += n;
        Exchange(remote);
    }

    // Separate from RunWindow so that the closure it needs is allocated only for split windows.
    private void RunSplit(long end, RunWindow? msg)
    {
        for (int t = 0; t < _workers.Length; t++)
        {
            var mine = _byThread[t + 1];
            _workers[t].Start(() => { foreach (var p in mine) p.RunWindow(end, msg); });
        }
        Exception? first = null;
        try { foreach (var p in _byThread[0]) p.RunWindow(end, msg); }
        catch (Exception e) { first = e; }
        foreach (var w in _workers)
        {
            try { w.Wait(); }
            catch (Exception e) { first ??= e; }
        }
        if (first != null) throw first;
    }

    /// <summary>Accepts events sent to one of this process's partitions from another process.</summary>
    public void Receive(int partition, IEnumerable<SimEvent> events)
    {
        var part = _all[partition] ?? throw new SimulationException($"received a batch for partition {partition}, which this process does not run");
        var box = _pool.Count > 0 ? _pool.Pop() : new Outbox();
        foreach (var e in events) box.Add(e);
        part.Receive(box);
    }

    private void Exchange(Action<int, Outbox>? remote)
    {
        foreach (var p in _local) p.DrainSpare(_pool);
        foreach (var src in _local)
        {
            var boxes = src.Outboxes;
            for (int dst = 0; dst < boxes.Length; dst++)
            {
                var box = boxes[dst];
                if (box == null || box.Events.Count == 0) continue;
                var target = _all[dst];
                if (target != null) target.Receive(box);
                else if (remote != null) remote(dst, box);
                else throw new SimulationException($"partition {src.Index} produced events for partition {dst}, which no process runs");
                boxes[dst] = _pool.Count > 0 ? _pool.Pop() : new Outbox();
                if (target == null) { box.Clear(); _pool.Push(box); }
            }
        }
    }

    /// <summary>Per-component digests of this process, for the run's digest.</summary>
    public IEnumerable<(int Id, ComponentDigest Digest)> Digests() => _hosts.Select(h => (h.Self, h.Digest));

    public long LastEventTime() => _hosts.Count == 0 ? 0 : _hosts.Max(h => h.Digest.Count == 0 ? 0 : h.Now.Picoseconds);

    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        if (_system != null)
            foreach (var h in _hosts) if (h.Actor != null) _system.Stop(h.Actor);
    }
}
