using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>RmiRealmParams (§2.2): read from the host's granule by the TMM, written into one by a host.</summary>
public sealed record RealmParams(ulong Flags, byte S2sz, byte SveVl, byte NumBps, byte NumWps, byte PmuNumCtrs, byte HashAlgo,
    byte[] Rpv, ushort Vmid, ulong RttBase, long RttLevelStart, uint RttNumStart)
{
    public const ulong FlagLpa2 = 1, FlagSve = 2, FlagPmu = 4;

    public static RealmParams Parse(ReadOnlySpan<byte> g) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(g[0x000..]),
        g[0x008], g[0x010], g[0x018], g[0x020], g[0x028], g[0x030],
        g.Slice(0x400, 64).ToArray(),
        BinaryPrimitives.ReadUInt16LittleEndian(g[0x800..]),
        BinaryPrimitives.ReadUInt64LittleEndian(g[0x808..]),
        BinaryPrimitives.ReadInt64LittleEndian(g[0x810..]),
        BinaryPrimitives.ReadUInt32LittleEndian(g[0x818..]));

    /// <summary>The 4 KiB granule image a host writes before REALM_CREATE.</summary>
    public byte[] ToGranule()
    {
        if (Rpv.Length != 64) throw new ArgumentException($"the realm personalisation value is 64 bytes, not {Rpv.Length}");
        var g = new byte[0x1000];
        BinaryPrimitives.WriteUInt64LittleEndian(g, Flags);
        (g[0x008], g[0x010], g[0x018], g[0x020], g[0x028], g[0x030]) = (S2sz, SveVl, NumBps, NumWps, PmuNumCtrs, HashAlgo);
        Rpv.CopyTo(g, 0x400);
        BinaryPrimitives.WriteUInt16LittleEndian(g.AsSpan(0x800), Vmid);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808), RttBase);
        BinaryPrimitives.WriteInt64LittleEndian(g.AsSpan(0x810), RttLevelStart);
        BinaryPrimitives.WriteUInt32LittleEndian(g.AsSpan(0x818), RttNumStart);
        return g;
    }
}
