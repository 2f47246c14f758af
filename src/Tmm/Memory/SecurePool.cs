namespace VirtCca.Tmm.Memory;

/// <summary>
/// The default <see cref="ISecureMemory"/>: a firmware-reserved pool at <c>[Base, Base + Granules·4K)</c>
/// covered by one TZC-400 region (secure read/write only), out of the controller's 8. Freed
/// granules are reused lowest-address first, so allocation is deterministic.
/// </summary>
public sealed class SecurePool : ISecureMemory
{
    private const int Size = PhysicalMemory.PageSize;
    private readonly PhysicalMemory _memory;
    private readonly SortedSet<ulong> _free = new();
    private readonly HashSet<ulong> _used = new();
    private ulong _next;

    /// <param name="memory">The physical memory the pool is part of.</param>
    public SecurePool(ulong basePa, int granules, PhysicalMemory memory, int regions = 1)
    {
        Base = basePa; Capacity = granules; RegionsInUse = regions; _memory = memory;
        _next = basePa;
    }

    public ulong Base { get; }
    public int Capacity { get; }
    public int GranulesInUse => _used.Count;
    public int RegionsInUse { get; }

    public bool TryAllocate(out ulong securePa, out string reason)
    {
        if (_free.Count > 0) { securePa = _free.Min; _free.Remove(securePa); }
        else if (_next < Base + (ulong)Capacity * Size) { securePa = _next; _next += Size; }
        else
        {
            securePa = 0;
            reason = $"secure pool exhausted: all {Capacity} granules ({Capacity * 4L} KiB behind {RegionsInUse} TZASC region(s)) are delegated";
            return false;
        }
        _used.Add(securePa);
        reason = "";
        return true;
    }

    public void Free(ulong securePa)
    {
        if (!_used.Remove(securePa)) throw new InvalidOperationException($"secure granule 0x{securePa:X} is not allocated");
        _memory.Zero(securePa, Size);
        _free.Add(securePa);
    }

    public void Read(ulong securePa, Span<byte> data) => _memory.Read(Check(securePa, data.Length), data);
    public void Write(ulong securePa, ReadOnlySpan<byte> data) => _memory.Write(Check(securePa, data.Length), data);
    public void Scrub(ulong securePa) => _memory.Zero(Check(securePa, Size), Size);

    private ulong Check(ulong pa, int length)
    {
        ulong granule = pa & ~(ulong)(Size - 1);
        if (!_used.Contains(granule) || (pa % Size) + (ulong)length > Size)
            throw new InvalidOperationException($"secure access at 0x{pa:X} (+{length}) is outside an allocated pool granule");
        return pa;
    }
}
