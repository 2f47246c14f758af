using System.Buffers.Binary;

namespace VirtCca.Tmm.Realms;

/// <summary>RmiRealmParams (§2.2) as read from the host's granule.</summary>
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
}
