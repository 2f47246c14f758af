namespace VirtCca.Interconnect;

/// <summary>
/// The model code of one simulated component. The same instance runs under either engine: inside
/// its <see cref="ComponentActor"/> on a partition's thread, or in the sequential reference engine.
/// It must keep its state to itself and talk to other components only through <see cref="ISimContext"/>.
/// </summary>
public abstract class Component
{
    /// <summary>Called once at time zero, before any event: schedule the initial events here.</summary>
    public virtual void Start(ISimContext ctx) { }

    /// <summary>Handles one delivered event; <c>ctx.Now</c> is the event's time.</summary>
    public abstract void Handle(in SimEvent ev, ISimContext ctx);
}

/// <summary>What a component may do while it handles an event.</summary>
public interface ISimContext
{
    /// <summary>The current component's topology id.</summary>
    int Self { get; }

    SimTime Now { get; }

    /// <summary>This component's random stream (seeded from the run's seed and <see cref="Self"/>).</summary>
    SimRandom Random { get; }

    /// <summary>
    /// Sends to another component over the link between them: it is delivered at
    /// <c>Now + link latency + extraDelay</c>. Sending where the topology has no link is an error.
    /// <paramref name="payload"/> is null, a <c>byte[]</c> or a Protobuf message; in one process the
    /// receiver gets this very object (don't change it after sending), across processes a copy.
    /// </summary>
    void Send(int target, int kind, long arg = 0, object? payload = null, SimTime extraDelay = default);

    /// <summary>Schedules an event to this component itself after <paramref name="delay"/> (may be zero).</summary>
    void Schedule(SimTime delay, int kind, long arg = 0, object? payload = null);

    /// <summary>
    /// Residency: the component with this id, to be driven by direct request/reply within the window
    /// (a PE running its vCPU). Allowed only when both run in the same partition, which the kernel
    /// guarantees for components of one placement group; anything else is an error, never a race.
    /// </summary>
    T Resident<T>(int id) where T : class;
}

/// <summary>
/// The context's calls as they were when payloads were bytes only, so that callers naming the
/// argument (<c>data: bytes</c>) keep compiling; positional byte[] arguments reach the object overloads.
/// </summary>
public static class SimContextBytes
{
    public static void Send(this ISimContext ctx, int target, int kind, long arg = 0, byte[]? data = null, SimTime extraDelay = default) =>
        ctx.Send(target, kind, arg, (object?)data, extraDelay);

    public static void Schedule(this ISimContext ctx, SimTime delay, int kind, long arg = 0, byte[]? data = null) =>
        ctx.Schedule(delay, kind, arg, (object?)data);
}
