namespace VirtCca.Tmm.Tmi;

/// <summary>
/// The names TMI's allocations take (<see cref="RmmConfig.TmmObjects"/>): the lowest free one first,
/// so a run's layout is deterministic. The first name is kept back as the TMM's own scratch page, where
/// it lays out the RMI parameter pages its core reads.
/// </summary>
internal sealed class TmiObjects(ulong basePa, int granules)
{
    private readonly SortedSet<ulong> _free = new();
    private ulong _next = basePa + Granule.Size;

    public ulong Scratch => basePa;

    public bool TryTake(out ulong name)
    {
        if (_free.Count > 0) { name = _free.Min; _free.Remove(name); return true; }
        name = _next;
        if (_next >= basePa + (ulong)granules * Granule.Size) return false;
        _next += Granule.Size;
        return true;
    }

    public void Give(ulong name) => _free.Add(name);
}
