namespace VirtCca.Tmm.Rtts;

/// <summary>HIPAS of an RTT entry (§3.4).</summary>
public enum Hipas { Unassigned, Assigned, UnassignedNs, AssignedNs, Table }

/// <summary>One RTT entry: its HIPAS, RIPAS (protected half), output address or descriptor, child table.</summary>
public struct RttEntry
{
    public Hipas Hipas;
    public Ripas Ripas;
    public ulong Address;
    public Rtt? Child;

    public readonly bool Live => Hipas is Hipas.Table or Hipas.Assigned or Hipas.AssignedNs;
}

/// <summary>A Realm translation table at one level covering [Base, Base + Entries·EntrySize).</summary>
public sealed class Rtt(ulong pa, int level, ulong baseIpa, int entries)
{
    public ulong Pa { get; } = pa;
    public int Level { get; } = level;
    public ulong Base { get; } = baseIpa;
    public RttEntry[] Entries { get; } = new RttEntry[entries];

    public ulong EntrySize => RttGeometry.EntrySize(Level);
    public ulong Top => Base + (ulong)Entries.Length * EntrySize;
    public int IndexOf(ulong ipa) => (int)((ipa - Base) / EntrySize);

    /// <summary>Holds TABLE or ASSIGNED (protected) entries: RTT_DESTROY refuses it, REALM_DESTROY too for roots.</summary>
    public bool IsLive => Entries.Any(e => e.Hipas is Hipas.Table or Hipas.Assigned);

    /// <summary>The `top` hint of teardown commands: the next IPA at or after <paramref name="from"/> with a live entry, or this table's end.</summary>
    public ulong NextLive(ulong from)
    {
        for (int i = from <= Base ? 0 : IndexOf(from); i < Entries.Length; i++)
            if (Entries[i].Live) return Base + (ulong)i * EntrySize;
        return Top;
    }
}

/// <summary>4 KiB-granule translation geometry (§3.5).</summary>
public static class RttGeometry
{
    public const int EntriesPerTable = 512;

    /// <summary>Bytes mapped by one entry at <paramref name="level"/>: L3 4 KiB, L2 2 MiB, L1 1 GiB, L0 512 GiB.</summary>
    public static ulong EntrySize(int level) => 1UL << (12 + 9 * (3 - level));

    /// <summary>Concatenated starting-level tables required for (s2sz, SL), or 0 when the pair is invalid.</summary>
    public static int RootTables(int s2sz, long sl) => sl switch
    {
        2 when s2sz is >= 32 and <= 34 => 1 << (s2sz - 30),
        1 when s2sz is >= 32 and <= 39 => 1,
        1 when s2sz is >= 40 and <= 43 => 1 << (s2sz - 39),
        0 when s2sz is >= 40 and <= 48 => 1,
        _ => 0,
    };
}
