using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

public class PhysicalMemoryTests
{
    [Fact]
    public void Untouched_memory_reads_zero_and_costs_no_page()
    {
        var m = new PhysicalMemory();
        var buf = new byte[16];
        buf.AsSpan().Fill(0xAA);
        m.Read(0x4_0000_0000, buf); // 16 GiB up
        Assert.All(buf, b => Assert.Equal(0, b));
        Assert.True(m.IsZero(0x4_0000_0000));
        Assert.Equal(0, m.PagesMaterialised);
    }

    [Fact]
    public void A_write_across_a_page_boundary_lands_in_both_pages_and_reads_back()
    {
        var m = new PhysicalMemory();
        var data = Enumerable.Range(1, 100).Select(i => (byte)i).ToArray();
        m.Write(0x8000_0FD0, data);
        var back = new byte[100];
        m.Read(0x8000_0FD0, back);
        Assert.Equal(data, back);
        Assert.Equal(2, m.PagesMaterialised);
        Assert.Equal(0x0807060504030201UL, m.ReadUInt64(0x8000_0FD0));
    }

    [Fact]
    public void Zero_scrubs_bytes_and_checksum_sees_the_change()
    {
        var m = new PhysicalMemory();
        m.WriteUInt64(0x1000_0008, 0x1122334455667788);
        ulong before = m.Checksum(0x1000_0000, 0x1000);
        Assert.False(m.IsZero(0x1000_0000));
        m.Zero(0x1000_0000, 0x1000);
        Assert.True(m.IsZero(0x1000_0000));
        Assert.NotEqual(before, m.Checksum(0x1000_0000, 0x1000));
        Assert.Equal(new PhysicalMemory().Checksum(0x1000_0000, 0x1000), m.Checksum(0x1000_0000, 0x1000));
    }
}
