using Google.Protobuf;

namespace VirtCca.Interconnect;

/// <summary>
/// One timestamped message between components: a model-defined <see cref="Kind"/>, a 64-bit
/// <see cref="Arg"/> and an optional <see cref="Payload"/> — null, a <c>byte[]</c>, or a Protobuf
/// message object. In one process the object itself is delivered; only where an event crosses a
/// process is a message encoded (the window batch codec), so every payload still has one wire form.
/// A payload belongs to the kernel once sent: neither the sender nor a receiver may change it.
/// </summary>
public readonly struct SimEvent
{
    public readonly long Time;
    public readonly int Target;
    public readonly int Source;
    public readonly long Seq;
    public readonly int Kind;
    public readonly long Arg;
    public readonly object? Payload;

    public SimEvent(long time, int target, int source, long seq, int kind, long arg, object? payload)
    {
        Time = time; Target = target; Source = source; Seq = seq; Kind = kind; Arg = arg; Payload = payload;
    }

    /// <summary>The payload when it is bytes (what every event carried before payload objects), else null.</summary>
    public byte[]? Data => Payload as byte[];

    /// <summary>
    /// The payload as a <typeparamref name="T"/>. A Protobuf message type also accepts its encoded
    /// bytes (parsed here), so a receiver can move to message objects before its senders do.
    /// Anything else — no payload, another type — is an error naming the event.
    /// </summary>
    public T PayloadAs<T>() where T : class
    {
        if (Payload is T t) return t;
        if (Payload is byte[] bytes && typeof(IMessage).IsAssignableFrom(typeof(T)))
            return (T)PayloadRegistry.ParseAs(typeof(T), bytes);
        throw new SimulationException($"event {this} carries {PayloadRegistry.Describe(Payload)}, not a {typeof(T).Name}");
    }

    internal SimEvent At(long time) => new(time, Target, Source, Seq, Kind, Arg, Payload);

    /// <summary>
    /// The kernel's one ordering rule: (time, source component id, source sequence number). Source ids
    /// come from the topology and sequence numbers from the sender, so the order never depends on
    /// arrival order, threads or hashing. (source, seq) is unique, so there are no ties.
    /// </summary>
    public static bool Precedes(in SimEvent a, in SimEvent b)
    {
        if (a.Time != b.Time) return a.Time < b.Time;
        if (a.Source != b.Source) return a.Source < b.Source;
        return a.Seq < b.Seq;
    }

    public override string ToString() => $"t={Time}ps {Source}#{Seq}->{Target} kind={Kind} arg={Arg}";
}
