using Akka.Actor;

namespace VirtCca.Interconnect.Engine;

/// <summary>
/// A set of components that one thread runs, window by window, as an exact sequential event loop:
/// one queue of all its components' events in kernel order (time, source, sequence). An event for
/// one of its own components joins that queue — inside the running window if it is due there, which
/// links inside the partition may be short enough for. Events for other partitions wait in one
/// outbox per destination until the window closes; they are due at or after the window's end, since
/// the window is bounded by the links that leave partitions.
/// </summary>
internal sealed class Partition : IEventRouter
{
    private readonly ComponentHost?[] _hosts;         // global id -> host (shared by this process's partitions)
    private readonly int[] _partitionOf;              // global id -> partition index
    private readonly int[] _groupOf;                  // global id -> placement group (lax: what a message crosses)
    private readonly EventHeap _heap = new();
    private readonly List<Outbox> _inbound = new();
    private readonly Stack<Outbox> _spare = new();
    private long _windowEnd;
    private Partition?[] _peers = [];

    public Partition(int index, int partitionCount, int[] partitionOf, int[] groupOf, ComponentHost?[] hosts)
    {
        Index = index;
        _partitionOf = partitionOf;
        _groupOf = groupOf;
        _hosts = hosts;
        Outboxes = new Outbox?[partitionCount];
        for (int p = 0; p < partitionCount; p++)
            if (p != index) Outboxes[p] = new Outbox();
    }

    public int Index { get; }
    public List<ComponentHost> Hosts { get; } = new();

    /// <summary>Outboxes by destination partition (null for this partition itself).</summary>
    public Outbox?[] Outboxes { get; }

    public long EventsProcessed { get; private set; }
    public long LastWindowEvents { get; private set; }

    /// <summary>Smallest latency of a link from here to another partition (long.MaxValue: none).</summary>
    public long Outgoing { get; init; } = long.MaxValue;

    /// <summary>
    /// Lax synchronisation: a message between placement groups that would land inside the running
    /// window is moved to its end. Groups, not partitions, so a lax result does not depend on how
    /// many partitions there are; a message inside a group keeps its exact time.
    /// </summary>
    public bool Lax { get; init; }
    public long Shifted { get; private set; }
    public long MaxShift { get; private set; }

    /// <summary>Events delivered through the component's actor because its mailbox held other mail.</summary>
    public long ThroughActor { get; private set; }

    public void Add(ComponentHost host) => Hosts.Add(host);

    /// <summary>This process's partitions by index (null where another process runs it).</summary>
    public void Know(Partition?[] peers) => _peers = peers;

    /// <summary>
    /// Set while the process runs this window's partitions one after another on one thread: an event
    /// for another partition of the process can then go straight into its queue (it is due at or after
    /// the window's end, so no partition sees it early) instead of through an outbox.
    /// </summary>
    public bool Serial { get; set; }

    /// <summary>Earliest pending event among this partition's components and its not-yet-absorbed inbound events.</summary>
    public long NextTime
    {
        get
        {
            long t = _heap.MinTime;
            for (int i = 0; i < _inbound.Count; i++) if (_inbound[i].MinTime < t) t = _inbound[i].MinTime;
            return t;
        }
    }

    public void Route(in SimEvent e)
    {
        int p = _partitionOf[e.Target];
        if (e.Time < _windowEnd)
        {
            if (Lax && _groupOf[e.Source] != _groupOf[e.Target]) { Shift(e, p); return; }
            if (p != Index)
                throw new SimulationException(
                    $"lookahead violated: component {e.Source} sent to {e.Target} in partition {p} for t={e.Time} ps inside the window ending at {_windowEnd} ps");
        }
        if (p == Index) _heap.Push(e);
        else if (Serial && _peers[p] is { } peer) peer._heap.Push(e);
        else { Outboxes[p]!.Add(e); Outboxed = true; }
    }

    /// <summary>Whether an outbox got an event since the runner last exchanged them.</summary>
    public bool Outboxed { get; set; }

    /// <summary>Whether inbound batches were absorbed since their outboxes were last handed back for reuse.</summary>
    public bool HasSpare => _spare.Count > 0;

    private void Shift(in SimEvent e, int p)
    {
        long by = _windowEnd - e.Time;
        Shifted++;
        if (by > MaxShift) MaxShift = by;
        var moved = e.At(_windowEnd);
        if (p == Index) _heap.Push(moved);
        else if (Serial && _peers[p] is { } peer) peer._heap.Push(moved);
        else { Outboxes[p]!.Add(moved); Outboxed = true; }
    }

    public Component? LocalComponent(int id) =>
        (uint)id < (uint)_hosts.Length && _partitionOf[id] == Index ? _hosts[id]?.Component : null;

    /// <summary>Hands this partition events produced elsewhere; they are absorbed at the start of its next window.</summary>
    public void Receive(Outbox box) => _inbound.Add(box);

    /// <summary>Returns the outboxes this partition absorbed, for reuse by whoever hands out fresh ones.</summary>
    public void DrainSpare(Stack<Outbox> pool) { while (_spare.Count > 0) pool.Push(_spare.Pop()); }

    public void StartComponents()
    {
        foreach (var h in Hosts) h.Start();
    }

    /// <summary>
    /// Runs one window [.., end): absorb inbound events, then deliver every event due before
    /// <paramref name="end"/> in kernel order — those the window's own events create included. A
    /// partition with no outgoing link may stop after <paramref name="budget"/> events (nothing it
    /// does can reach another partition, so where it pauses changes nothing), so that a run with no
    /// crossing link still reports progress.
    /// </summary>
    public void RunWindow(long end, long budget = long.MaxValue)
    {
        if (_inbound.Count > 0) Absorb();
        _windowEnd = end;
        long limit = Outgoing == long.MaxValue && !Lax ? budget : long.MaxValue;

        long n = 0;
        var heap = _heap;
        var hosts = _hosts;
        while (heap.MinTime < end)
        {
            var e = heap.Pop();
            var h = hosts[e.Target]!;
            // The fast path: with nothing else in its mailbox the actor would run this next anyway, on
            // this thread (partition dispatcher), so call the handler directly and skip the Tell.
            if (h.HasMail) Deliver(h, e);
            else h.Deliver(e);
            if (++n == limit) break;
        }
        EventsProcessed += n;
        LastWindowEvents = n;
    }

    private void Absorb()
    {
        foreach (var box in _inbound)
        {
            foreach (var e in box.Events) _heap.Push(e);
            box.Clear();
            _spare.Push(box);
        }
        _inbound.Clear();
    }

    /// <summary>Delivers through the actor, behind the mail it already has; it runs on this thread and returns when done.</summary>
    private void Deliver(ComponentHost h, in SimEvent e)
    {
        long before = h.Digest.Count;
        h.Cell!.Self.Tell(new DeliverEvent(e), ActorRefs.NoSender);
        if (h.Failure is { } failure) { h.Failure = null; throw failure; }
        if (h.Digest.Count == before)
            throw new SimulationException($"component {h.Self}'s actor did not take its event at t={e.Time} ps on the partition's thread; is it on the partition dispatcher and running?");
        ThroughActor++;
    }
}
