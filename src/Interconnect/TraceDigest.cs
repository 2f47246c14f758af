using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VirtCca.Interconnect;

/// <summary>
/// The run's trace digest. Each component folds the events it is delivered, in delivery order, into
/// its own running 64-bit hash; the run's digest is SHA-256 over every component's (id, count, hash)
/// in id order. Per-component delivery order is fixed by the kernel's ordering rule, so the digest is
/// the same however components are spread over threads, partitions and processes. A byte payload
/// is folded byte by byte; a message payload by its type only (<see cref="PayloadRegistry.DigestTag"/>),
/// so hashing never encodes it and an object delivered in place hashes as one that crossed a process.
/// </summary>
public struct ComponentDigest
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    public ulong Hash;
    public long Count;

    public void Add(in SimEvent e)
    {
        ulong h = Hash;
        h = Mix(h, (ulong)e.Time);
        h = Mix(h, ((ulong)(uint)e.Target << 32) | (uint)e.Source);
        h = Mix(h, (ulong)e.Seq);
        h = Mix(h, ((ulong)(uint)e.Kind << 32) | (uint)(e.Data?.Length ?? 0));
        h = Mix(h, (ulong)e.Arg);
        if (e.Payload is byte[] data)
            foreach (byte b in data) h = Mix(h, b);
        else if (e.Payload is Google.Protobuf.IMessage message)
            h = Mix(h, PayloadRegistry.DigestTag(message));
        Hash = h;
        Count++;
    }

    private static ulong Mix(ulong h, ulong v)
    {
        h ^= ulong.RotateLeft(v * Prime2, 31) * Prime1;
        return ulong.RotateLeft(h, 27) * Prime1 + 0x165667B19E3779F9UL;
    }
}

public static class TraceDigest
{
    /// <summary>Combines per-component digests, given in component-id order, into the hex run digest.</summary>
    public static string Combine(IEnumerable<(int Id, ComponentDigest Digest)> components)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buf = stackalloc byte[20];
        foreach (var (id, d) in components.OrderBy(c => c.Id))
        {
            // Little-endian whatever the host, so nodes of different architectures agree.
            BinaryPrimitives.WriteInt32LittleEndian(buf[..4], id);
            BinaryPrimitives.WriteInt64LittleEndian(buf.Slice(4, 8), d.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(buf.Slice(12, 8), d.Hash);
            sha.AppendData(buf);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
