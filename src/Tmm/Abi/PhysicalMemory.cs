using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace VirtCca.Tmm.Abi;

/// <summary>
/// A machine's one physical memory (DRAM), byte-addressed by physical address: what KVM writes, what
/// the TMM reads, what guests touch and devices DMA into — every side of the ABI addresses this one
/// store. Pages exist only once written (untouched memory reads as zero and costs nothing), so a
/// 16 GiB realm costs what it writes. Access checks (TZASC, granule states) belong to whoever owns
/// the path; this is the cells.
/// <para>
/// Thread safety: components of one machine may run in different partitions of one process, so
/// pages are created with a compare-and-swap and found without locks. Two writers of the same bytes
/// in the same window would be a race in the model itself; the kernel's ordering makes every
/// message-ordered use deterministic.
/// </para>
/// </summary>
public sealed class PhysicalMemory
{
    public const int PageSize = 4096;
    private const int PageShift = 12, LeafShift = 9, LeafSize = 1 << LeafShift, MiddleShift = 9, MiddleSize = 1 << MiddleShift;
    private const int TopShift = PageShift + LeafShift + MiddleShift; // 30: one middle table per GiB

    // GiB number -> 512 leaf tables (2 MiB each) -> 512 pages.
    private readonly ConcurrentDictionary<ulong, byte[]?[]?[]> _top = new();
    private long _pages;

    /// <summary>Pages that have been written at least once (materialised).</summary>
    public long PagesMaterialised => Interlocked.Read(ref _pages);

    public void Read(ulong pa, Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(pa % PageSize), n = Math.Min(PageSize - off, data.Length);
            var page = Find(pa);
            if (page != null) page.AsSpan(off, n).CopyTo(data); else data[..n].Clear();
            data = data[n..]; pa += (ulong)n;
        }
    }

    public void Write(ulong pa, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int off = (int)(pa % PageSize), n = Math.Min(PageSize - off, data.Length);
            data[..n].CopyTo(Materialise(pa).AsSpan(off, n));
            data = data[n..]; pa += (ulong)n;
        }
    }

    public ulong ReadUInt64(ulong pa)
    {
        Span<byte> b = stackalloc byte[8];
        Read(pa, b);
        return BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    public void WriteUInt64(ulong pa, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Write(pa, b);
    }

    /// <summary>Zeroes [pa, pa + length): pages that were never written stay unmaterialised.</summary>
    public void Zero(ulong pa, ulong length)
    {
        while (length > 0)
        {
            int off = (int)(pa % PageSize);
            ulong n = Math.Min((ulong)(PageSize - off), length);
            Find(pa)?.AsSpan(off, (int)n).Clear();
            pa += n; length -= n;
        }
    }

    /// <summary>Whether every byte of [pa, pa + length) is zero.</summary>
    public bool IsZero(ulong pa, ulong length = PageSize)
    {
        while (length > 0)
        {
            int off = (int)(pa % PageSize);
            ulong n = Math.Min((ulong)(PageSize - off), length);
            if (Find(pa) is { } page && page.AsSpan(off, (int)n).IndexOfAnyExcept((byte)0) >= 0) return false;
            pa += n; length -= n;
        }
        return true;
    }

    /// <summary>A 64-bit FNV-1a digest of [pa, pa + length), e.g. to show that a region did not change.</summary>
    public ulong Checksum(ulong pa, ulong length)
    {
        ulong h = 0xCBF29CE484222325UL;
        Span<byte> buf = stackalloc byte[256];
        while (length > 0)
        {
            int n = (int)Math.Min((ulong)buf.Length, length);
            Read(pa, buf[..n]);
            foreach (byte b in buf[..n]) h = (h ^ b) * 0x100000001B3UL;
            pa += (ulong)n; length -= (ulong)n;
        }
        return h;
    }

    private byte[]? Find(ulong pa)
    {
        _top.TryGetValue(pa >> TopShift, out var middle);
        var leaf = middle?[(pa >> (PageShift + LeafShift)) & (MiddleSize - 1)];
        return leaf == null ? null : Volatile.Read(ref leaf[(pa >> PageShift) & (LeafSize - 1)]);
    }

    private byte[] Materialise(ulong pa)
    {
        var middle = _top.GetOrAdd(pa >> TopShift, static _ => new byte[]?[]?[MiddleSize]);
        ref var leafSlot = ref middle[(pa >> (PageShift + LeafShift)) & (MiddleSize - 1)];
        var leaf = Volatile.Read(ref leafSlot) ?? InterlockedInit(ref leafSlot, () => new byte[]?[LeafSize]);
        ref var pageSlot = ref leaf[(pa >> PageShift) & (LeafSize - 1)];
        var page = Volatile.Read(ref pageSlot);
        if (page != null) return page;
        var fresh = new byte[PageSize];
        page = Interlocked.CompareExchange(ref pageSlot, fresh, null) ?? fresh;
        if (ReferenceEquals(page, fresh)) Interlocked.Increment(ref _pages);
        return page;
    }

    private static T InterlockedInit<T>(ref T? slot, Func<T> make) where T : class =>
        Interlocked.CompareExchange(ref slot, make(), null) ?? slot!;
}
