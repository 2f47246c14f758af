using Google.Protobuf;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Interconnect.Cluster;

/// <summary>
/// Converts a window's outbox to its wire batch and back. This is the one place a message payload
/// is encoded in a normal run: its bytes go into the batch's data column with a type tag (the
/// message's full Protobuf name), and the receiving process parses it with <see cref="PayloadRegistry"/>.
/// </summary>
internal static class BatchCodec
{
    private const int NoPayload = 0, Bytes = 1, FirstType = 2;

    public static EventBatch Encode(int toPartition, Outbox box)
    {
        var b = new EventBatch { ToPartition = toPartition };
        var events = box.Events;
        int dataBytes = 0;
        bool payloads = false;
        foreach (var e in events)
        {
            if (e.Payload == null) continue;
            payloads = true;
            dataBytes += e.Payload is byte[] bytes ? bytes.Length : ((IMessage)e.Payload).CalculateSize();
        }
        var blob = dataBytes == 0 ? null : new byte[dataBytes];
        Dictionary<string, int>? types = null;
        int offset = 0;
        foreach (var e in events)
        {
            b.Time.Add(e.Time); b.Target.Add(e.Target); b.Source.Add(e.Source);
            b.Seq.Add(e.Seq); b.Kind.Add(e.Kind); b.Arg.Add(e.Arg);
            if (!payloads) continue;
            switch (e.Payload)
            {
                case null: b.PayloadKind.Add(NoPayload); break;
                case byte[] d:
                    d.CopyTo(blob!, offset);
                    offset += d.Length;
                    b.PayloadKind.Add(Bytes);
                    break;
                case IMessage m:
                    int size = m.CalculateSize();
                    m.WriteTo(blob.AsSpan(offset, size));
                    offset += size;
                    b.PayloadKind.Add(FirstType + TypeIndex(b, types ??= new(), PayloadRegistry.TagOf(m)));
                    break;
            }
            b.DataEnd.Add(offset);
        }
        if (blob != null) b.Data = ByteString.CopyFrom(blob);
        return b;
    }

    private static int TypeIndex(EventBatch b, Dictionary<string, int> types, string tag)
    {
        if (types.TryGetValue(tag, out int i)) return i;
        types[tag] = i = b.PayloadTypes.Count;
        b.PayloadTypes.Add(tag);
        return i;
    }

    public static IEnumerable<SimEvent> Decode(EventBatch b)
    {
        int n = b.Time.Count;
        if (b.Target.Count != n || b.Source.Count != n || b.Seq.Count != n || b.Kind.Count != n || b.Arg.Count != n
            || (b.DataEnd.Count != 0 && b.DataEnd.Count != n) || b.PayloadKind.Count != b.DataEnd.Count)
            throw new SimulationException($"malformed event batch for partition {b.ToPartition}: column lengths differ");
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            object? payload = null;
            if (b.DataEnd.Count != 0)
            {
                int end = b.DataEnd[i];
                var bytes = b.Data.Span[start..end];
                int kind = b.PayloadKind[i];
                payload = kind switch
                {
                    NoPayload => null,
                    Bytes => bytes.ToArray(),
                    _ when kind - FirstType < b.PayloadTypes.Count => PayloadRegistry.Parse(b.PayloadTypes[kind - FirstType], bytes),
                    _ => throw new SimulationException($"malformed event batch for partition {b.ToPartition}: payload type {kind - FirstType} is not in its table"),
                };
                start = end;
            }
            yield return new SimEvent(b.Time[i], b.Target[i], b.Source[i], b.Seq[i], b.Kind[i], b.Arg[i], payload);
        }
    }

    public static long MinTime(EventBatch b)
    {
        long min = long.MaxValue;
        foreach (var t in b.Time) if (t < min) min = t;
        return min;
    }
}
