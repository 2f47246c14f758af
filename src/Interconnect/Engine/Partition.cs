namespace VirtCca.Interconnect.Engine;

/// <summary>
/// A set of components that one thread runs, window by window. Events between its own components go
/// straight into the target's heap (they are due at or after the window's end, so no running
/// component can see them early); events for other partitions wait in one outbox per destination
/// until the window closes. Only components with an event inside the window are touched.
/// </summary>
internal sealed class Partition : IEventRouter
{
    private readonly ComponentHost?[] _byId;          // global id -> host, null when not here
    private readonly int[] _partitionOf;              // global id -> partition index
    private readonly PriorityQueue<ComponentHost, long> _ready = new();
    private readonly List<ComponentHost> _active = new();
    private readonly List<Outbox> _inbound = new();
    private readonly Stack<Outbox> _spare = new();

    public Partition(int index, int partitionCount, int[] partitionOf, int componentCount)
    {
        Index = index;
        _partitionOf = partitionOf;
        _byId = new ComponentHost?[componentCount];
        Outboxes = new Outbox?[partitionCount];
    }

    public int Index { get; }
    public List<ComponentHost> Hosts { get; } = new();

    /// <summary>Outboxes by destination partition (null for this partition itself).</summary>
    public Outbox?[] Outboxes { get; }

    public long EventsProcessed { get; private set; }
    public bool Lax { get; init; }

    public void Add(ComponentHost host)
    {
        host.Lax = Lax;
        Hosts.Add(host);
        _byId[host.Self] = host;
        for (int p = 0; p < Outboxes.Length; p++)
            if (p != Index) Outboxes[p] ??= new Outbox();
    }

    /// <summary>Earliest pending event among this partition's components and its not-yet-absorbed inbound events.</summary>
    public long NextTime
    {
        get
        {
            long t = ReadyMin();
            foreach (var box in _inbound) if (box.MinTime < t) t = box.MinTime;
            return t;
        }
    }

    private long ReadyMin()
    {
        // Entries go stale when a host was queued earlier than its current head; drop them lazily.
        while (_ready.TryPeek(out var h, out var at))
        {
            if (at == h.QueuedAt) return at;
            _ready.Dequeue();
        }
        return long.MaxValue;
    }

    public void Route(in SimEvent e)
    {
        var host = _byId[e.Target];
        if (host != null)
        {
            host.Heap.Push(e);
            if (e.Time < host.QueuedAt)
            {
                host.QueuedAt = e.Time;
                _ready.Enqueue(host, e.Time);
            }
        }
        else Outboxes[_partitionOf[e.Target]]!.Add(e);
    }

    public Component? LocalComponent(int id) => (uint)id < (uint)_byId.Length ? _byId[id]?.Component : null;

    /// <summary>Hands this partition events produced elsewhere; they are absorbed at the start of its next window.</summary>
    public void Receive(Outbox box) => _inbound.Add(box);

    /// <summary>Returns the outboxes this partition absorbed, for reuse by whoever hands out fresh ones.</summary>
    public void DrainSpare(Stack<Outbox> pool) { while (_spare.Count > 0) pool.Push(_spare.Pop()); }

    public void StartComponents()
    {
        foreach (var h in Hosts) h.Start();
    }

    /// <summary>Runs one window [.., end): absorb inbound events, then every component with work before <paramref name="end"/>.</summary>
    public void RunWindow(long end, RunWindow? actorMessage)
    {
        foreach (var box in _inbound)
        {
            foreach (var e in box.Events) Route(e);
            box.Clear();
            _spare.Push(box);
        }
        _inbound.Clear();

        while (_ready.TryPeek(out var h, out var at) && at < end)
        {
            _ready.Dequeue();
            if (at != h.QueuedAt) continue;
            h.QueuedAt = long.MaxValue;
            _active.Add(h);
        }

        long n = 0;
        foreach (var h in _active)
        {
            h.WindowEnd = end;
            if (actorMessage != null)
            {
                // The component's actor runs on this thread (partition-bound dispatcher): Tell returns after the window.
                long before = h.Digest.Count;
                h.Actor!.Tell(actorMessage, Akka.Actor.ActorRefs.NoSender);
                n += h.Digest.Count - before;
                if (h.Failure is { } failure) { h.Failure = null; throw failure; }
                if (h.RanUntil != end)
                    throw new SimulationException($"component {h.Self}'s actor did not run its window on the partition's thread; is it on the partition dispatcher?");
            }
            else n += h.RunUntil(end);

            // Re-queue at the true head; entries made while it ran (its own events) become stale.
            long next = h.Heap.MinTime;
            h.QueuedAt = next;
            if (next != long.MaxValue) _ready.Enqueue(h, next);
        }
        _active.Clear();
        EventsProcessed += n;
        LastWindowEvents = n;
    }

    public long LastWindowEvents { get; private set; }
}
