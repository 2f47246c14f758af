namespace VirtCca.Tmm.Abi;

/// <summary>The RMM's unit of memory (§3): a 4 KiB granule, and the translation geometry built on it (§3.5).</summary>
public static class Granule
{
    public const ulong Size = 0x1000;

    public static bool IsAligned(ulong address) => (address & (Size - 1)) == 0;

    /// <summary>The granule holding <paramref name="address"/>.</summary>
    public static ulong Of(ulong address) => address & ~(Size - 1);

    /// <summary>Bytes mapped by one RTT entry at <paramref name="level"/>: L3 4 KiB, L2 2 MiB, L1 1 GiB, L0 512 GiB.</summary>
    public static ulong MappedAt(int level) => 1UL << (12 + 9 * (3 - level));
}
