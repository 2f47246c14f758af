using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Memory;

/// <summary>
/// A guest view over the machine's one <see cref="PhysicalMemory"/> through a 4 KiB page map (guest
/// page → physical page), as a stage-2 table maps it. Unmapped pages fault. The map is built before
/// the run or between windows: reads from several partitions at once are safe, a change while
/// another partition reads is not (the owner of the map must order it by events).
/// </summary>
public sealed class PagedGuestMemory(PhysicalMemory memory, string name = "guest memory") : IGuestMemory
{
    private const int Page = PhysicalMemory.PageSize;
    private readonly Dictionary<ulong, ulong> _pages = new();

    public PhysicalMemory Physical { get; } = memory;

    /// <summary>Maps [gpa, gpa + length) onto [pa, pa + length); both page-aligned.</summary>
    public PagedGuestMemory Map(ulong gpa, ulong pa, ulong length)
    {
        if (gpa % Page != 0 || pa % Page != 0) throw new ArgumentException($"{name}: mapping 0x{gpa:X} -> 0x{pa:X} is not page-aligned");
        for (ulong off = 0; off < length; off += Page) _pages[(gpa + off) / Page] = (pa + off) / Page;
        return this;
    }

    public void Unmap(ulong gpa, ulong length)
    {
        for (ulong off = 0; off < length; off += Page) _pages.Remove((gpa + off) / Page);
    }

    /// <summary>The physical address of a guest address, or null when its page is not mapped.</summary>
    public ulong? Translate(ulong gpa) => _pages.TryGetValue(gpa / Page, out ulong pp) ? pp * Page + gpa % Page : null;

    public void Read(ulong gpa, Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(Page - (int)(gpa % Page), data.Length);
            Physical.Read(Pa(gpa), data[..n]);
            data = data[n..]; gpa += (ulong)n;
        }
    }

    public void Write(ulong gpa, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(Page - (int)(gpa % Page), data.Length);
            Physical.Write(Pa(gpa), data[..n]);
            data = data[n..]; gpa += (ulong)n;
        }
    }

    private ulong Pa(ulong gpa) => Translate(gpa) ?? throw new GuestMemoryFault(gpa, name);
}
