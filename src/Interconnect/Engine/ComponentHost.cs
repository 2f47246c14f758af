namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The kernel's side of one component: its pending events, its sequence counter, its random stream and
/// its digest. It is also the component's <see cref="ISimContext"/>. Both engines drive components
/// only through this class, so the model code cannot tell them apart.
/// </summary>
internal sealed class ComponentHost : ISimContext
{
    private readonly Topology _topology;
    private readonly IEventRouter _router;
    private long _now;
    private long _nextSeq;
    private ComponentDigest _digest;

    public ComponentHost(int id, Component component, Topology topology, ulong seed, IEventRouter router)
    {
        Self = id; Component = component; _topology = topology; _router = router;
        Random = new SimRandom(seed, (ulong)id);
    }

    public int Self { get; }
    public Component Component { get; }
    public SimRandom Random { get; }
    public SimTime Now => new(_now);
    public EventHeap Heap { get; } = new();
    public ComponentDigest Digest => _digest;

    /// <summary>End of the running window; a message to another component must not land before it.</summary>
    public long WindowEnd;
    /// <summary>Lax synchronisation: a message that would land inside the running window is delayed to its end.</summary>
    public bool Lax;
    /// <summary>Earliest time this host is queued for in its partition's ready queue (long.MaxValue: not queued).</summary>
    public long QueuedAt = long.MaxValue;
    /// <summary>Attached actor shell, when components run as actors.</summary>
    public Akka.Actor.IActorRef? Actor;

    /// <summary>An error raised while the component's actor ran its window, rethrown by the partition.</summary>
    public Exception? Failure;
    /// <summary>End of the last window this host ran, to prove the actor ran it on the partition's thread.</summary>
    public long RanUntil = long.MinValue;


    public void Start()
    {
        _now = 0;
        try { Component.Start(this); }
        catch (Exception ex) when (ex is not SimulationException) { throw Fail("starting", ex); }
    }

    /// <summary>Delivers every queued event with time &lt; <paramref name="end"/>, in kernel order.</summary>
    public long RunUntil(long end)
    {
        RanUntil = end;
        long n = 0;
        var heap = Heap;
        while (heap.MinTime < end)
        {
            var e = heap.Pop();
            Deliver(e);
            n++;
        }
        return n;
    }

    public void Deliver(in SimEvent e)
    {
        _now = e.Time;
        _digest.Add(e);
        try { Component.Handle(e, this); }
        catch (Exception ex) when (ex is not SimulationException) { throw Fail($"handling {e}", ex); }
    }

    private SimulationException Fail(string what, Exception ex) =>
        new($"component {Self} ({_topology.Names[Self]}) failed at t={_now} ps while {what}: {ex.Message}", ex);

    public void Send(int target, int kind, long arg = 0, byte[]? data = null, SimTime extraDelay = default)
    {
        if (target == Self) { Schedule(extraDelay, kind, arg, data); return; }
        if ((uint)target >= (uint)_topology.Count)
            throw new SimulationException($"component {Self} ({_topology.Names[Self]}) sent to component {target}, which does not exist");
        long latency = _topology.LatencyOf(Self, target);
        if (latency < 0)
            throw new SimulationException(
                $"component {Self} ({_topology.Names[Self]}) sent to {target} ({_topology.Names[target]}) but the topology has no link between them");
        if (extraDelay.Picoseconds < 0) throw new SimulationException($"component {Self} sent with a negative extra delay");
        long at = _now + latency + extraDelay.Picoseconds;
        if (at < WindowEnd)
        {
            // Exact mode cannot get here: links are never shorter than the lookahead (checked at build).
            if (!Lax) throw new SimulationException($"lookahead violated: component {Self} sent to {target} for t={at} ps inside the window ending at {WindowEnd} ps");
            at = WindowEnd;
        }
        _router.Route(new SimEvent(at, target, Self, _nextSeq++, kind, arg, data));
    }

    public void Schedule(SimTime delay, int kind, long arg = 0, byte[]? data = null)
    {
        if (delay.Picoseconds < 0) throw new SimulationException($"component {Self} scheduled an event {delay.Picoseconds} ps in the past");
        _router.Route(new SimEvent(_now + delay.Picoseconds, Self, Self, _nextSeq++, kind, arg, data));
    }

    public T Resident<T>(int id) where T : class
    {
        var c = _router.LocalComponent(id)
            ?? throw new SimulationException(
                $"component {Self} ({_topology.Names[Self]}) asked to drive component {id} directly, but it is not in the same partition; give both the same placement group");
        return c as T ?? throw new SimulationException($"component {id} is a {c.GetType().Name}, not a {typeof(T).Name}");
    }
}
