using VirtCca.Devices.Smmu;

namespace VirtCca.Devices.Tests;

/// <summary>The stream tables: secure and non-secure, who may change them, and the IOTLB's stale-translation hazard.</summary>
public sealed class StreamTableTests
{
    private const uint Nic = 1;

    private static StreamTable WithNicMapped(bool strict = false)
    {
        var table = new StreamTable(strict);
        Assert.True(table.Configure(Nic, new StreamTableEntry(false, StreamMode.Stage2), bySecureWorld: false));
        Assert.True(table.Map(Nic, secureStream: false, iova: 0x0, pa: 0x20_0000, bySecureWorld: false));
        Assert.True(table.Map(Nic, secureStream: false, iova: 0x1000, pa: 0x50_0000, bySecureWorld: false));
        return table;
    }

    [Fact]
    public void A_transactions_ssd_picks_the_secure_or_the_non_secure_table()
    {
        var table = new StreamTable();
        Assert.True(table.Configure(5, new StreamTableEntry(false, StreamMode.Bypass), bySecureWorld: false));
        Assert.True(table.Configure(5, new StreamTableEntry(true, StreamMode.Bypass), bySecureWorld: true));
        Assert.True(table.Configure(6, new StreamTableEntry(true, StreamMode.Bypass), bySecureWorld: true));
        Assert.Equal((0x1000UL, false), table.Translate(5, secureStream: false, 0x1000, 4));
        Assert.Equal((0x1000UL, true), table.Translate(5, secureStream: true, 0x1000, 4));
        Assert.Null(table.Translate(6, secureStream: false, 0x1000, 4));  // stream 6 exists only in the secure table
        Assert.Equal(new SmmuFault(6, 0x1000, "no stream table entry", SecureStream: false), table.EventQueue.Single());
    }

    [Fact]
    public void The_normal_world_may_not_touch_secure_streams_and_each_attempt_is_counted()
    {
        var table = new StreamTable();
        Assert.True(table.Configure(7, new StreamTableEntry(true, StreamMode.Stage2), bySecureWorld: true));
        Assert.False(table.Configure(8, new StreamTableEntry(true, StreamMode.Bypass), bySecureWorld: false));
        Assert.False(table.Map(7, secureStream: true, 0, 0x1000, bySecureWorld: false));
        Assert.False(table.Unmap(7, secureStream: true, 0, bySecureWorld: false));
        Assert.False(table.InvalidatePage(7, secureStream: true, 0, bySecureWorld: false));
        Assert.False(table.InvalidateStream(7, secureStream: true, bySecureWorld: false));
        Assert.Equal(5, table.RefusedSecureConfiguration);
        Assert.Null(table.Entry(8, secureStream: true));
        Assert.Empty(table.Entry(7, secureStream: true)!.Stage2);
        Assert.True(table.Configure(8, new StreamTableEntry(false, StreamMode.Bypass), bySecureWorld: true)); // the secure world may set non-secure STEs
        Assert.Equal(5, table.RefusedSecureConfiguration);
    }

    [Fact]
    public void After_an_unmap_without_invalidation_the_cached_translation_still_reaches_the_old_page()
    {
        var table = WithNicMapped();
        Assert.Equal((0x20_0010UL, false), table.Translate(Nic, 0x10, 4));
        Assert.True(table.Unmap(Nic, secureStream: false, 0x0, bySecureWorld: false));
        Assert.Equal((0x20_0010UL, false), table.Translate(Nic, 0x10, 4));  // stale: the IOTLB still has it
        Assert.Equal(1, table.IotlbMisses);
        Assert.True(table.InvalidatePage(Nic, secureStream: false, 0x0, bySecureWorld: false));
        Assert.Null(table.Translate(Nic, 0x10, 4));
        Assert.Equal(new SmmuFault(Nic, 0x10, "no stage-2 mapping"), table.EventQueue.Single());
    }

    [Fact]
    public void Cfgi_ste_drops_every_cached_translation_of_that_stream_only()
    {
        var table = WithNicMapped();
        Assert.True(table.Configure(2, new StreamTableEntry(false, StreamMode.Stage2), bySecureWorld: false));
        Assert.True(table.Map(2, false, 0x0, 0x90_0000, bySecureWorld: false));
        foreach (var (stream, iova) in new[] { (Nic, 0x0UL), (Nic, 0x1000UL), (2u, 0x0UL) }) Assert.NotNull(table.Translate(stream, iova, 1));
        foreach (var (stream, iova) in new[] { (Nic, 0x0UL), (Nic, 0x1000UL), (2u, 0x0UL) }) Assert.True(table.Unmap(stream, false, iova, bySecureWorld: false));
        Assert.Equal(3, table.IotlbEntries);
        Assert.True(table.InvalidateStream(Nic, secureStream: false, bySecureWorld: false));
        Assert.Equal(1, table.IotlbEntries);
        Assert.Null(table.Translate(Nic, 0x0, 1));
        Assert.Null(table.Translate(Nic, 0x1000, 1));
        Assert.Equal((0x90_0000UL, false), table.Translate(2, 0x0, 1));  // the other stream is still stale
    }

    [Fact]
    public void Under_strict_invalidation_an_unmap_faults_at_once()
    {
        var table = WithNicMapped(strict: true);
        Assert.NotNull(table.Translate(Nic, 0x10, 4));
        Assert.True(table.Unmap(Nic, secureStream: false, 0x0, bySecureWorld: false));
        Assert.Equal(0, table.IotlbEntries);
        Assert.Null(table.Translate(Nic, 0x10, 4));
        Assert.Equal((0x50_0000UL, false), table.Translate(Nic, 0x1000, 4)); // other pages are untouched
    }

    [Fact]
    public void A_page_crossing_dma_splits_into_one_part_per_page()
    {
        Assert.Equal(new[] { (0x1FFCUL, 0, 4), (0x2000UL, 4, 4) }, DmaSplit.Pages(0x1FFC, 8));
        Assert.Equal(new[] { (0xFFFUL, 0, 1), (0x1000UL, 1, 4096), (0x2000UL, 4097, 1) }, DmaSplit.Pages(0xFFF, 4098));
        Assert.Equal(new[] { (0x3000UL, 0, 4096) }, DmaSplit.Pages(0x3000, 4096));
        Assert.Empty(DmaSplit.Pages(0x3000, 0));
    }
}
