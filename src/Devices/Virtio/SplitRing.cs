using VirtCca.Devices.Memory;

namespace VirtCca.Devices.Virtio;

/// <summary>One split-virtqueue descriptor (virtio 1.x §2.7.5): 16 bytes, addr / len / flags / next.</summary>
public readonly record struct VringDescriptor(ulong Addr, uint Len, ushort Flags, ushort Next)
{
    public const ushort FlagNext = 1, FlagWrite = 2, FlagIndirect = 4;
    public bool HasNext => (Flags & FlagNext) != 0;
    public bool DeviceWritable => (Flags & FlagWrite) != 0;
}

/// <summary>The flag bits and the event-index rule of a split ring (virtio 1.x §2.7.7, §2.7.10).</summary>
public static class Vring
{
    /// <summary>avail.flags: the driver asks for no interrupts (used when VIRTIO_F_EVENT_IDX is off).</summary>
    public const ushort AvailNoInterrupt = 1;
    /// <summary>used.flags: the device asks for no notifications (used when VIRTIO_F_EVENT_IDX is off).</summary>
    public const ushort UsedNoNotify = 1;

    /// <summary>
    /// vring_need_event: whether moving an index from <paramref name="oldIdx"/> to
    /// <paramref name="newIdx"/> crosses the other side's event index, all modulo 2^16.
    /// </summary>
    public static bool NeedEvent(ushort eventIdx, ushort newIdx, ushort oldIdx) =>
        (ushort)(newIdx - eventIdx - 1) < (ushort)(newIdx - oldIdx);
}

/// <summary>
/// Where a split virtqueue lives in guest memory and the address of each field: descriptor table
/// (16 B entries), available ring (flags, idx, ring[size], used_event) and used ring (flags, idx,
/// ring[size] of {id, len}, avail_event). Sizes are powers of two up to 32768.
/// </summary>
public sealed record SplitRingLayout(ushort Size, ulong Desc, ulong Avail, ulong Used)
{
    /// <summary>Descriptor table at <paramref name="gpa"/>, the available ring after it, the used ring after that at 4-byte alignment (virtio 1.x §2.7: 16 / 2 / 4).</summary>
    public static SplitRingLayout Contiguous(ulong gpa, ushort size)
    {
        if (size == 0 || (size & (size - 1)) != 0 || size > 32768) throw new ArgumentException($"virtqueue size {size} is not a power of two in 1..32768");
        if (gpa % 16 != 0) throw new ArgumentException($"descriptor table at 0x{gpa:X} is not 16-byte aligned");
        ulong avail = gpa + 16UL * size;
        ulong used = (avail + 6 + 2UL * size + 3) & ~3UL;
        return new SplitRingLayout(size, gpa, avail, used);
    }

    public ulong End => Used + 6 + 8UL * Size;

    public ulong DescAt(ushort i) => Desc + 16UL * i;
    public ulong AvailFlags => Avail;
    public ulong AvailIdx => Avail + 2;
    public ulong AvailRing(ushort i) => Avail + 4 + 2UL * (ushort)(i % Size);
    public ulong UsedEvent => Avail + 4 + 2UL * Size;
    public ulong UsedFlags => Used;
    public ulong UsedIdx => Used + 2;
    public ulong UsedRing(ushort i) => Used + 4 + 8UL * (ushort)(i % Size);
    public ulong AvailEvent => Used + 4 + 8UL * Size;

    public VringDescriptor ReadDescriptor(IGuestMemory m, ushort i)
    {
        ulong a = DescAt(i);
        return new VringDescriptor(m.ReadU64(a), m.ReadU32(a + 8), m.ReadU16(a + 12), m.ReadU16(a + 14));
    }

    public void WriteDescriptor(IGuestMemory m, ushort i, VringDescriptor d)
    {
        ulong a = DescAt(i);
        m.WriteU64(a, d.Addr); m.WriteU32(a + 8, d.Len); m.WriteU16(a + 12, d.Flags); m.WriteU16(a + 14, d.Next);
    }
}
