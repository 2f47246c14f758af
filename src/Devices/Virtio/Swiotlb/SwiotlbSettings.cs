namespace VirtCca.Devices.Virtio.Swiotlb;

/// <summary>
/// A realm's bounce-buffer pool and its costs, in cycles at the guest's clock. Sources in
/// ../shared/spec/costs.md (§4.5, §8.3, §9.2) and virtcca.md §4.
/// </summary>
public sealed record SwiotlbSettings
{
    /// <summary>swiotlb.slot, S: IO_TLB_SHIFT = 11, 2 KiB slots.</summary>
    public int SlotBytes { get; init; } = 2048;

    /// <summary>S: Linux's default pool, 64 MiB = 32,768 slots; virtCCA's swiotlb=&lt;slots&gt;,force default (virtcca.md §4).</summary>
    public long PoolBytes { get; init; } = 64L << 20;

    /// <summary>S: IO_TLB_SEGSIZE, the largest mapping is 128 contiguous slots (256 KiB).</summary>
    public int MaxMappingSlots { get; init; } = 128;

    /// <summary>swiotlb.map_unmap, assumed (costs.md E): slot allocate + free for one mapping, charged at map.</summary>
    public long MapUnmapCycles { get; init; } = 300;

    /// <summary>mem.copy_per_byte, assumed (costs.md E: 10 GB/s single-core memcpy at 2.6 GHz).</summary>
    public double CopyPerByteCycles { get; init; } = 0.26;

    /// <summary>
    /// S: since Linux 5.18 (commits ddbd89deb7d3, aa6f8dcbab47, "fix info leak with DMA_FROM_DEVICE")
    /// swiotlb_tbl_map_single copies the original buffer into the slot on every map, whatever the
    /// direction, so a device-to-memory buffer is copied in at map and out at unmap. Off: the older
    /// rule, a copy in only for memory-to-device.
    /// </summary>
    public bool CopyOnMapEveryDirection { get; init; } = true;

    public long CopyCycles(long bytes) => (long)Math.Round(bytes * CopyPerByteCycles, MidpointRounding.ToEven);

    public int Slots => (int)(PoolBytes / SlotBytes);
}
