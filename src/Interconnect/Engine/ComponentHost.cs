namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The kernel's side of one component: its clock, its sequence counter, its random stream and its
/// digest. It is also the component's <see cref="ISimContext"/>. Both engines drive components only
/// through this class, so the model code cannot tell them apart. Pending events live in the
/// engine's queue (the partition's, or the sequential engine's), not here, so an idle component
/// costs only this object.
/// </summary>
internal sealed class ComponentHost : ISimContext
{
    private readonly Topology _topology;
    private readonly IEventRouter _router;
    private readonly ulong _seed;
    private readonly bool _roundTrip;
    private long _now;
    private long _nextSeq;
    private ComponentDigest _digest;
    private SimRandom? _random;

    public ComponentHost(int id, Component component, Topology topology, ulong seed, IEventRouter router, bool roundTripPayloads = false)
    {
        Self = id; Component = component; _topology = topology; _router = router; _seed = seed; _roundTrip = roundTripPayloads;
    }

    public int Self { get; }
    public Component Component { get; }
    public SimRandom Random => _random ??= new SimRandom(_seed, (ulong)Self);
    public SimTime Now => new(_now);
    public ComponentDigest Digest => _digest;

    /// <summary>The component's actor when components run as actors (its cell, to look at its mailbox).</summary>
    public Akka.Actor.ICell? Cell;
    /// <summary>The actor's message queue when it is the kernel's own (read directly: the partition looks at it for every event).</summary>
    public LazyMessageQueue? Mail;

    /// <summary>Whether the component's actor holds mail the partition must let it handle first.</summary>
    public bool HasMail => Mail != null ? Mail.HasMessages : Cell is { HasMessages: true };
    /// <summary>An error raised while the component's actor delivered an event, rethrown by the partition.</summary>
    public Exception? Failure;

    public void Start()
    {
        _now = 0;
        try { Component.Start(this); }
        catch (Exception ex) when (ex is not SimulationException) { throw Fail("starting", ex); }
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

    public void Send(int target, int kind, long arg = 0, object? payload = null, SimTime extraDelay = default)
    {
        if (target == Self) { Schedule(extraDelay, kind, arg, payload); return; }
        if ((uint)target >= (uint)_topology.Count)
            throw new SimulationException($"component {Self} ({_topology.Names[Self]}) sent to component {target}, which does not exist");
        long latency = _topology.LatencyOf(Self, target);
        if (latency < 0)
            throw new SimulationException(
                $"component {Self} ({_topology.Names[Self]}) sent to {target} ({_topology.Names[target]}) but the topology has no link between them");
        if (extraDelay.Picoseconds < 0) throw new SimulationException($"component {Self} sent with a negative extra delay");
        _router.Route(new SimEvent(_now + latency + extraDelay.Picoseconds, target, Self, _nextSeq++, kind, arg, Prepare(payload)));
    }

    public void Schedule(SimTime delay, int kind, long arg = 0, object? payload = null)
    {
        if (delay.Picoseconds < 0) throw new SimulationException($"component {Self} scheduled an event {delay.Picoseconds} ps in the past");
        _router.Route(new SimEvent(_now + delay.Picoseconds, Self, Self, _nextSeq++, kind, arg, Prepare(payload)));
    }

    private object? Prepare(object? payload)
    {
        if (payload == null) return null;
        if (payload is not (byte[] or Google.Protobuf.IMessage))
            throw new SimulationException(
                $"component {Self} ({_topology.Names[Self]}) sent a payload of type {payload.GetType().Name}; a payload is null, a byte[] or a Protobuf message");
        return _roundTrip ? PayloadRegistry.RoundTrip(payload) : payload;
    }

    public T Resident<T>(int id) where T : class
    {
        var c = _router.LocalComponent(id)
            ?? throw new SimulationException(
                $"component {Self} ({_topology.Names[Self]}) asked to drive component {id} directly, but it is not in the same partition; give both the same placement group");
        return c as T ?? throw new SimulationException($"component {id} is a {c.GetType().Name}, not a {typeof(T).Name}");
    }
}
