using VirtCca.Devices.Memory;
using VirtCca.Devices.Virtio.Swiotlb;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tests.Virtio;

public sealed class SwiotlbPoolTests
{
    private static SwiotlbPool Pool(int slots, out PagedGuestMemory priv, out PagedGuestMemory shared, bool everyDirection = true)
    {
        var pm = new PhysicalMemory();
        priv = new PagedGuestMemory(pm, "protected").Map(0, 0x100_0000, 0x10_0000);
        shared = new PagedGuestMemory(pm, "shared").Map(0x80_0000, 0x200_0000, 0x10_0000);
        return new SwiotlbPool(new SwiotlbSettings { PoolBytes = slots * 2048L, CopyOnMapEveryDirection = everyDirection }, 0x80_0000, priv, shared);
    }

    [Fact]
    public void A_mapping_takes_contiguous_slots_next_fit_and_copies_by_direction()
    {
        var pool = Pool(8, out var priv, out var shared);
        priv.Write(0x1000, [1, 2, 3]);
        var a = pool.Map(0x1000, 3, DmaDirection.ToDevice, out long ca)!;
        Assert.Equal(0x80_0000UL, a.Shared);
        Assert.Equal(new byte[] { 1, 2, 3 }, shared.ReadBytes(a.Shared, 3));
        Assert.Equal(300 + 1, ca);                                  // map + 3 B × 0.26 = 0.78 → 1 cycle
        var b = pool.Map(0x2000, 5000, DmaDirection.FromDevice, out _)!; // 3 slots, copied in too (Linux ≥ 5.18)
        Assert.Equal((0x80_0800UL, 3), (b.Shared, b.SlotCount));
        pool.Unmap(a);
        var c = pool.Map(0x3000, 2048, DmaDirection.ToDevice, out _)!;
        Assert.Equal(0x80_2000UL, c.Shared);                        // next fit: after b, not a's freed slot
        shared.Write(b.Shared, [9, 9]);
        Assert.Equal(1300, pool.Unmap(b, bytesOut: 5000));           // 5000 × 0.26 out
        Assert.Equal(new byte[] { 9, 9 }, priv.ReadBytes(0x2000, 2));
        Assert.Equal((3 + 5000 + 2048 + 5000, 4, 4), (pool.BytesBounced, pool.Copies, pool.HighWaterSlots));
    }

    [Fact]
    public void Exhaustion_fails_the_map_and_the_older_rule_copies_nothing_in_for_device_writes()
    {
        var pool = Pool(4, out _, out _, everyDirection: false);
        Assert.NotNull(pool.Map(0, 3 * 2048, DmaDirection.FromDevice, out long c));
        Assert.Equal(300, c);                                       // no copy in
        Assert.Null(pool.Map(0, 4097, DmaDirection.ToDevice, out _)); // needs 3 of the 1 left
        Assert.NotNull(pool.Map(0, 10, DmaDirection.ToDevice, out _));
        Assert.Null(pool.Map(0, 1, DmaDirection.ToDevice, out _));
        Assert.Equal((2, 0L), (pool.MapFailures, pool.BytesBounced - 10));
        Assert.Throws<InvalidOperationException>(() => Pool(256, out _, out _).Map(0, 129 * 2048, DmaDirection.ToDevice, out _));
    }
}
