namespace VirtCca.Interconnect;

/// <summary>
/// One timestamped message between components. The payload is a model-defined <see cref="Kind"/>, a
/// 64-bit <see cref="Arg"/> and optional bytes (a Protobuf message for rich payloads), so that every
/// event has one wire form and one digest form whatever model produced it.
/// </summary>
public readonly struct SimEvent
{
    public readonly long Time;
    public readonly int Target;
    public readonly int Source;
    public readonly long Seq;
    public readonly int Kind;
    public readonly long Arg;
    public readonly byte[]? Data;

    public SimEvent(long time, int target, int source, long seq, int kind, long arg, byte[]? data)
    {
        Time = time; Target = target; Source = source; Seq = seq; Kind = kind; Arg = arg; Data = data;
    }

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
