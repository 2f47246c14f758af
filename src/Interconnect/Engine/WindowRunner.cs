using Akka.Actor;

namespace VirtCca.Interconnect.Engine;

/// <summary>
/// Runs this process's partitions through windows: absorb, run (on one thread or split over the
/// worker threads), then move every outbox to its destination — local partitions directly, remote
/// ones into per-destination batches for the caller to send. The caller decides the window bounds
/// (<see cref="WindowPlan"/>; <see cref="Reach"/> is this process's part of the exact bound).
/// </summary>
internal sealed class WindowRunner : IDisposable
{
    private readonly Partition?[] _all;
    private readonly List<Partition> _local = new();
    private readonly WorkerThread[] _workers;
    private readonly Stack<Outbox> _pool = new();
    private readonly KernelSettings _settings;
    private readonly List<ComponentHost> _hosts = new();
    private long _lastWindowEvents = long.MaxValue;
    private readonly ActorSystem? _system;
    private readonly IActorRef? _parent;
    private bool _started, _serial;
    private static int s_runs;

    /// <param name="localPartitions">Global indices of the partitions this process runs.</param>
    public WindowRunner(ISimulationModel model, KernelSettings settings, int totalPartitions, IReadOnlyList<int> localPartitions,
        ActorSystem? system)
    {
        _settings = settings;
        var topology = model.Topology;
        Plan = WindowPlan.For(topology, settings, totalPartitions);
        var partitionOf = Plan.PartitionOf;
        var groups = topology.PlacementGroups as int[] ?? topology.PlacementGroups.ToArray();
        var hostsById = new ComponentHost?[topology.Count];
        _all = new Partition?[totalPartitions];
        foreach (int p in localPartitions)
        {
            var part = new Partition(p, totalPartitions, partitionOf, groups, hostsById) { Lax = Plan.Lax, Outgoing = Plan.Outgoing[p] };
            _all[p] = part;
            _local.Add(part);
        }
        foreach (var part in _local) part.Know(_all);
        bool roundTrip = settings.PayloadCodec == PayloadCodec.Always;
        for (int id = 0; id < topology.Count; id++)
        {
            var part = _all[partitionOf[id]];
            if (part == null) continue;
            var host = new ComponentHost(id, model.CreateComponent(id), topology, settings.Seed, part, roundTrip);
            hostsById[id] = host;
            part.Add(host);
            _hosts.Add(host);
        }
        if (settings.ComponentActors)
        {
            _system = system ?? throw new ArgumentException("component actors need an actor system", nameof(system));
            _parent = CreateActors(system, _hosts);
        }

        int threads = Math.Max(1, Math.Min(settings.Threads, _local.Count));
        _workers = new WorkerThread[threads - 1];
        for (int t = 1; t < threads; t++) _workers[t - 1] = new WorkerThread($"virtcca-partition-{t}");
    }

    /// <summary>
    /// One parent per run, started with one round trip; it then creates every component actor as its
    /// child on this thread (partition dispatcher), with no round trip per actor.
    /// </summary>
    private static IActorRef CreateActors(ActorSystem system, List<ComponentHost> hosts)
    {
        int run = Interlocked.Increment(ref s_runs);
        var parent = system.ActorOf(ComponentParent.PropsFor(), $"run{run}-components");
        parent.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        parent.Tell(new CreateComponents(hosts), ActorRefs.NoSender);
        foreach (var h in hosts)
            if (h.Cell == null)
                throw new SimulationException($"component {h.Self}'s actor was not created on the engine's thread; is the parent on the partition dispatcher?");
        return parent;
    }

    public WindowPlan Plan { get; }
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
    public long NextTime() => Next(out _);

    /// <summary>Earliest time an event of this process can reach another partition (remote batches not included).</summary>
    public long Reach()
    {
        Next(out long reach);
        return reach;
    }

    /// <summary>Earliest pending event of this process, and (<paramref name="reach"/>) the earliest time one can reach another partition.</summary>
    public long Next(out long reach)
    {
        long t = long.MaxValue;
        reach = long.MaxValue;
        for (int i = 0; i < _local.Count; i++)
        {
            var p = _local[i];
            long n = p.NextTime;
            if (n < t) t = n;
            long r = Plan.Reach(p.Index, n);
            if (r < reach) reach = r;
        }
        return t;
    }

    /// <summary>Runs the window ending at <paramref name="end"/>; remote outboxes go to <paramref name="remote"/>.</summary>
    public void RunWindow(long end, Action<int, Outbox>? remote)
    {
        if (!_started) throw new InvalidOperationException("Start the runner before running windows");
        bool serial = _workers.Length == 0 || _lastWindowEvents < _settings.ParallelThreshold;
        var local = _local;
        if (serial != _serial)
        {
            _serial = serial;
            foreach (var p in local) p.Serial = serial;
        }
        if (serial)
            for (int i = 0; i < local.Count; i++) local[i].RunWindow(end, _settings.PauseEvents);
        else
            RunSplit(end);
        long n = 0;
        for (int i = 0; i < local.Count; i++) n += local[i].LastWindowEvents;
        _lastWindowEvents = n;
        Events += n;
        Exchange(remote);
    }

    private void RunSplit(long end)
    {
        var work = new SplitWindow(_local, end, _settings.PauseEvents);
        foreach (var w in _workers) w.Offer(work);
        work.Help();
        work.Finish();
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
        foreach (var p in _local) if (p.HasSpare) p.DrainSpare(_pool);
        foreach (var src in _local)
        {
            if (!src.Outboxed) continue;
            src.Outboxed = false;
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

    /// <summary>Lax shifts of this process: messages moved, and the largest move.</summary>
    public (long Shifted, long MaxShift) Shifts() => (_local.Sum(p => p.Shifted), _local.Count == 0 ? 0 : _local.Max(p => p.MaxShift));

    /// <summary>Events this process delivered through an actor because it had other mail (the slow path).</summary>
    public long ThroughActor => _local.Sum(p => p.ThroughActor);

    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        if (_system != null && _parent != null) _system.Stop(_parent);
    }
}
