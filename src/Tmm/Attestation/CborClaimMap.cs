using System.Formats.Cbor;

namespace VirtCca.Tmm.Attestation;

/// <summary>A CBOR item this reader keeps as its encoded bytes (floats, simple values, tags in unknown claims).</summary>
public sealed record EncodedCbor(byte[] Bytes);

/// <summary>
/// Reads a claims map with integer keys into a dictionary: values as byte[], string, long,
/// List&lt;object&gt;, nested maps, bool, or <see cref="EncodedCbor"/> for anything else. Text keys
/// (allowed by EAT, used by no CCA claim) are skipped. Lax on key order — TF-RMM and TF-A write
/// their claims in their own order — strict on what makes a claims set ambiguous: duplicate keys,
/// indefinite lengths, trailing bytes.
/// </summary>
public static class CborClaimMap
{
    public static Dictionary<int, object> Read(ReadOnlyMemory<byte> encoded)
    {
        var r = new CborReader(encoded, CborConformanceMode.Lax);
        var map = ReadMap(r);
        if (r.BytesRemaining != 0) throw new FormatException("trailing bytes after the claims map");
        return map;
    }

    private static Dictionary<int, object> ReadMap(CborReader r)
    {
        int n = r.ReadStartMap() ?? throw new FormatException("indefinite-length maps are not allowed");
        var map = new Dictionary<int, object>();
        var textKeys = new HashSet<string>();
        for (int i = 0; i < n; i++)
        {
            if (r.PeekState() == CborReaderState.TextString)
            {
                var name = r.ReadTextString();
                if (!textKeys.Add(name)) throw new FormatException($"duplicate key \"{name}\"");
                r.SkipValue();
                continue;
            }
            long key = r.ReadInt64();
            var value = ReadValue(r);
            if (key is < int.MinValue or > int.MaxValue) continue;
            if (!map.TryAdd((int)key, value)) throw new FormatException($"duplicate key {key}");
        }
        r.ReadEndMap();
        return map;
    }

    private static object ReadValue(CborReader r) => r.PeekState() switch
    {
        CborReaderState.ByteString => r.ReadByteString(),
        CborReaderState.TextString => r.ReadTextString(),
        CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => ReadInteger(r),
        CborReaderState.StartArray => ReadArray(r),
        CborReaderState.StartMap => ReadMap(r),
        CborReaderState.Boolean => r.ReadBoolean(),
        CborReaderState.StartIndefiniteLengthByteString or CborReaderState.StartIndefiniteLengthTextString =>
            throw new FormatException("indefinite-length strings are not allowed"),
        _ => new EncodedCbor(r.ReadEncodedValue().ToArray()),
    };

    private static object ReadInteger(CborReader r)
    {
        // Integers beyond long's range are legal CBOR; no CCA claim uses them, so they are kept encoded.
        var encoded = r.ReadEncodedValue();
        var inner = new CborReader(encoded, CborConformanceMode.Lax);
        try { return inner.ReadInt64(); }
        catch (OverflowException) { return new EncodedCbor(encoded.ToArray()); }
    }

    private static List<object> ReadArray(CborReader r)
    {
        int n = r.ReadStartArray() ?? throw new FormatException("indefinite-length arrays are not allowed");
        var list = new List<object>(n);
        for (int i = 0; i < n; i++) list.Add(ReadValue(r));
        r.ReadEndArray();
        return list;
    }
}
