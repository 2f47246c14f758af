namespace VirtCca.Devices.Tzasc;

/// <summary>DRAM contents as 4 KiB pages created on first write; untouched memory reads as zero and costs nothing.</summary>
public sealed class SparseDram
{
    private const int Page = 4096;
    private readonly Dictionary<ulong, byte[]> _pages = new();

    public int PagesTouched => _pages.Count;

    public void Read(ulong address, Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(address % Page), n = Math.Min(Page - off, data.Length);
            if (_pages.TryGetValue(address / Page, out var p)) p.AsSpan(off, n).CopyTo(data); else data[..n].Clear();
            data = data[n..]; address += (ulong)n;
        }
    }

    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(address % Page), n = Math.Min(Page - off, data.Length);
            if (!_pages.TryGetValue(address / Page, out var p)) _pages[address / Page] = p = new byte[Page];
            data[..n].CopyTo(p.AsSpan(off, n));
            data = data[n..]; address += (ulong)n;
        }
    }
}
