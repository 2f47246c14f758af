using VirtCca.Devices.Memory;
using VirtCca.Devices.Virtio;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>The split ring's layout in guest memory and the two halves working on it, without an engine.</summary>
public sealed class SplitRingTests
{
    private static PagedGuestMemory Memory(out PhysicalMemory pm)
    {
        pm = new PhysicalMemory();
        return new PagedGuestMemory(pm).Map(0, 0x10_0000, 0x10_0000);
    }

    [Fact]
    public void The_layout_follows_the_virtio_1_alignment_rules()
    {
        var l = SplitRingLayout.Contiguous(0x1000, 8);
        Assert.Equal((0x1000UL, 0x1080UL, 0x1098UL), (l.Desc, l.Avail, l.Used));   // 8 × 16; avail 6 + 2 × 8 = 22 → used at 4-byte alignment
        Assert.Equal(0x1080UL + 4 + 16, l.UsedEvent);
        Assert.Equal(0x1098UL + 4 + 64, l.AvailEvent);
        Assert.Equal(l.UsedRing(0), l.UsedRing(8));                                 // the rings wrap
        Assert.Throws<ArgumentException>(() => SplitRingLayout.Contiguous(0x1000, 6));
        Assert.Throws<ArgumentException>(() => SplitRingLayout.Contiguous(0x1008, 8));
    }

    [Theory]
    [InlineData(0, 1, 0, true)]        // the first entry after 0 crosses event 0
    [InlineData(5, 6, 5, true)]
    [InlineData(5, 5, 4, false)]       // not yet at the event
    [InlineData(5, 9, 7, false)]       // already past it
    [InlineData(65535, 1, 65534, true)] // across the 16-bit wrap
    public void Need_event_is_vring_need_event(int eventIdx, int newIdx, int oldIdx, bool expected) =>
        Assert.Equal(expected, Vring.NeedEvent((ushort)eventIdx, (ushort)newIdx, (ushort)oldIdx));

    [Fact]
    public void A_chain_the_driver_adds_is_the_chain_the_device_pops_byte_for_byte()
    {
        var m = Memory(out var pm);
        var layout = SplitRingLayout.Contiguous(0x1000, 8);
        var driver = new DriverQueue(0, layout, m, eventIdx: true);
        var device = new DeviceQueue(0, layout, m, eventIdx: true);
        ushort head = driver.Add([new VirtqBuffer(0x8000, 16, false), new VirtqBuffer(0x9000, 512, true)], token: 42);
        Assert.Equal(1, m.ReadU16(layout.AvailIdx));
        Assert.Equal(head, m.ReadU16(layout.AvailRing(0)));
        // Descriptor 0 as the spec lays it out: addr (8), len (4), flags NEXT (2), next (2).
        Assert.Equal(0x8000UL, pm.ReadUInt64(0x10_1000));
        Assert.Equal(new byte[] { 16, 0, 0, 0, 1, 0, 1, 0 }, m.ReadBytes(layout.DescAt(head) + 8, 8));

        Assert.False(device.HasAvail);                              // nothing is known until the driver publishes
        Assert.True(driver.KickPrepare());                          // avail_event 0 is crossed
        device.OnDriverPublished(driver.TakePublication()!);
        var chain = device.Pop(out bool malformed)!;
        Assert.False(malformed);
        Assert.Equal(new[] { (0x8000UL, 16u, false), (0x9000UL, 512u, true) }, chain.Descriptors.Select(d => (d.Addr, d.Len, d.DeviceWritable)));

        device.PushUsed(chain.Head, 513);
        Assert.True(device.NeedSignal());                           // the first signal is always sent
        Assert.Null(driver.GetBuf());                               // the driver has not seen the used index yet
        driver.OnDevicePublished(device.Publication());
        Assert.Equal((42UL, 513u), driver.GetBuf());
        Assert.Equal(8, driver.NumFree);
    }

    [Fact]
    public void A_busy_device_is_not_kicked_and_a_driver_with_interrupts_off_is_not_signalled()
    {
        var m = Memory(out _);
        var layout = SplitRingLayout.Contiguous(0x1000, 8);
        var driver = new DriverQueue(0, layout, m, eventIdx: true);
        var device = new DeviceQueue(0, layout, m, eventIdx: true);
        driver.Add([new VirtqBuffer(0x8000, 1, false)], 1);
        Assert.True(driver.KickPrepare());
        device.OnDriverPublished(driver.TakePublication()!);
        device.DisableNotify();                                    // serving: avail_event stays at 0
        device.Pop(out _);
        driver.Add([new VirtqBuffer(0x8000, 1, false)], 2);
        Assert.False(driver.KickPrepare());                        // entry 1 does not cross avail_event 0
        Assert.False(device.OnDriverPublished(driver.TakePublication()!)); // and the device knows a kick is not owed: it is busy
        Assert.True(device.HasAvail);

        driver.DisableCallbacks();                                 // used_event parked at 0
        device.PushUsed(0, 0);
        Assert.True(device.NeedSignal());                          // the first signal is always sent
        device.OnDriverPublished(driver.TakePublication()!);
        device.PushUsed(1, 0);
        Assert.False(device.NeedSignal());
        Assert.Equal(0, m.ReadU16(layout.UsedEvent));
    }
}
