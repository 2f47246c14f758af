namespace VirtCca.Tmm.Memory;

/// <summary>Byte-addressed memory held as 4 KiB pages created on first write; untouched memory reads as zero and costs nothing.</summary>
public sealed class SparseMemory
{
    public const int PageSize = 4096;
    private readonly Dictionary<ulong, byte[]> _pages = new();

    public int PagesTouched => _pages.Count;

    public void Read(ulong pa, Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(pa % PageSize), n = Math.Min(PageSize - off, data.Length);
            if (_pages.TryGetValue(pa / PageSize, out var page)) page.AsSpan(off, n).CopyTo(data);
            else data[..n].Clear();
            data = data[n..]; pa += (ulong)n;
        }
    }

    public void Write(ulong pa, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(pa % PageSize), n = Math.Min(PageSize - off, data.Length);
            if (!_pages.TryGetValue(pa / PageSize, out var page)) _pages[pa / PageSize] = page = new byte[PageSize];
            data[..n].CopyTo(page.AsSpan(off, n));
            data = data[n..]; pa += (ulong)n;
        }
    }

    /// <summary>Zeroes one granule (drops its page: zero is the default).</summary>
    public void Scrub(ulong granulePa) => _pages.Remove(granulePa / PageSize);

    public bool IsZero(ulong granulePa) => !_pages.TryGetValue(granulePa / PageSize, out var p) || p.AsSpan().IndexOfAnyExcept((byte)0) < 0;
}
