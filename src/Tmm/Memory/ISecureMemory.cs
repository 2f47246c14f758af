namespace VirtCca.Tmm.Memory;

/// <summary>
/// Secure memory as the TMM obtains it on virtCCA, where there is no Granule Protection Table:
/// firmware reserves a pool behind a few TZASC regions, and every delegated granule is backed by
/// one pool granule (a shadow mapping). Narrow on purpose, so a platform TZASC actor can sit behind it.
/// </summary>
public interface ISecureMemory
{
    /// <summary>Takes one zeroed pool granule; false with a reason when the pool (or the TZASC's regions) is exhausted.</summary>
    bool TryAllocate(out ulong securePa, out string reason);

    /// <summary>Scrubs a pool granule and returns it to the pool.</summary>
    void Free(ulong securePa);

    /// <summary>Reads or writes secure memory (secure-world accesses only).</summary>
    void Read(ulong securePa, Span<byte> data);
    void Write(ulong securePa, ReadOnlySpan<byte> data);

    /// <summary>Zeroes a pool granule in place (a transition back to DELEGATED).</summary>
    void Scrub(ulong securePa);

    int GranulesInUse { get; }
    int RegionsInUse { get; }
}
