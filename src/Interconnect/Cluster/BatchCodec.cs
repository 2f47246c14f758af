using Google.Protobuf;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Interconnect.Cluster;

/// <summary>Converts a window's outbox to its wire batch and back.</summary>
internal static class BatchCodec
{
    public static EventBatch Encode(int toPartition, Outbox box)
    {
        var b = new EventBatch { ToPartition = toPartition };
        var events = box.Events;
        int dataBytes = 0;
        foreach (var e in events) dataBytes += e.Data?.Length ?? 0;
        var blob = dataBytes == 0 ? null : new byte[dataBytes];
        int offset = 0;
        foreach (var e in events)
        {
            b.Time.Add(e.Time); b.Target.Add(e.Target); b.Source.Add(e.Source);
            b.Seq.Add(e.Seq); b.Kind.Add(e.Kind); b.Arg.Add(e.Arg);
            if (blob != null)
            {
                if (e.Data is { } d) { d.CopyTo(blob, offset); offset += d.Length; }
                b.DataEnd.Add(offset);
            }
        }
        if (blob != null) b.Data = ByteString.CopyFrom(blob);
        return b;
    }

    public static IEnumerable<SimEvent> Decode(EventBatch b)
    {
        int n = b.Time.Count;
        if (b.Target.Count != n || b.Source.Count != n || b.Seq.Count != n || b.Kind.Count != n || b.Arg.Count != n
            || (b.DataEnd.Count != 0 && b.DataEnd.Count != n))
            throw new SimulationException($"malformed event batch for partition {b.ToPartition}: column lengths differ");
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            byte[]? data = null;
            if (b.DataEnd.Count != 0)
            {
                int end = b.DataEnd[i];
                if (end > start) data = b.Data.Span[start..end].ToArray();
                start = end;
            }
            yield return new SimEvent(b.Time[i], b.Target[i], b.Source[i], b.Seq[i], b.Kind[i], b.Arg[i], data);
        }
    }

    public static long MinTime(EventBatch b)
    {
        long min = long.MaxValue;
        foreach (var t in b.Time) if (t < min) min = t;
        return min;
    }
}
