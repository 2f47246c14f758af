using VirtCca.Kvm.Vgic;

namespace VirtCca.Kvm.Tests;

/// <summary>KVM's vGIC for one vCPU: pending interrupts into list registers on entry, the rest later, nothing lost.</summary>
public sealed class VgicTests
{
    [Fact]
    public void Pending_interrupts_fill_the_list_registers_lowest_intid_first_and_the_overflow_waits()
    {
        var v = new VgicCpu();
        foreach (int i in new[] { 30, 1, 27 }.Concat(Enumerable.Range(100, 16))) v.Pend(i);
        Assert.False(v.Pend(27)); // a level: pending once
        var lrs = new ulong[16];
        Assert.Equal(16, v.FillListRegisters(lrs));
        Assert.Equal([1UL, 27, 30, 100], lrs.Take(4).Select(lr => lr & 0xFFFF_FFFF));
        Assert.Equal(VgicCpu.Encode(1), lrs[0]);
        Assert.Equal(1UL << 62 | 1UL << 60 | 0xA0UL << 48 | 1, lrs[0]);
        Assert.Equal(3, v.PendingCount); // 113, 114, 115 on the next entry
        Assert.Equal(3, v.FillListRegisters(lrs));
        Assert.All(lrs.Skip(3), lr => Assert.Equal(0UL, lr));
    }

    [Fact]
    public void Reclaim_puts_back_what_the_guest_did_not_take()
    {
        var v = new VgicCpu();
        v.Reclaim([VgicCpu.Encode(5), VgicCpu.Encode(6) & ~(3UL << 62), 0]); // 5 still pending; 6 was taken
        Assert.Equal(1, v.PendingCount);
        var lrs = new ulong[2];
        v.FillListRegisters(lrs);
        Assert.Equal(5UL, lrs[0] & 0xFFFF_FFFF);
    }

    [Fact]
    public void Only_interrupts_a_guest_can_be_given_are_pended()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VgicCpu().Pend(1020));
    }
}
