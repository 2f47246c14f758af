using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 30–33, 35, 42: RTT structure and reading.</summary>
public sealed class ConformanceRttTests
{
    private readonly RealmSetup _s = new();

    [Fact] // 30
    public void Item30_rtt_create_level_and_alignment_checks_are_input()
    {
        var (rd, _) = _s.Realm();
        var t = _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, rd, t, 0, 0).Status); // level = SL
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, rd, t, 0, 4).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, rd, t, 0x20_0000, 2).Status); // not 1 GiB aligned
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(t));
    }

    [Fact] // 31
    public void Item31_rtt_create_without_the_parent_table_is_error_rtt_at_the_level_reached()
    {
        var (rd, _) = _s.Realm();
        var r = _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 3);
        Assert.Equal(SmcResult.Of(RmiStatus.ErrorRtt, 0).X0, r.X0); // the walk stops at SL = 0
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 1).Status);
        Assert.Equal(0x104UL, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 3).X0); // now stops at level 1
    }

    [Fact] // 32
    public void Item32_rtt_create_twice_is_error_rtt_at_level_minus_one()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 2).Status);
        Assert.Equal(0x104UL, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 2).X0);
    }

    [Fact] // 33
    public void Item33_read_entry_after_create_reports_the_table()
    {
        var (rd, _) = _s.Realm();
        var l1 = _s.Delegated();
        var l2 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l1, 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l2, 0x4000_0000, 2).Status);
        var r = _s.Call(RmiFid.RttReadEntry, rd, 0x4000_0000, 1);
        Assert.Equal((1UL, (ulong)RmiRttEntryState.Table, l2), (r.X1, r.X2, r.X3));
        var deeper = _s.Call(RmiFid.RttReadEntry, rd, 0x4000_0000, 3); // the walk stops at level 2
        Assert.Equal((2UL, (ulong)RmiRttEntryState.Unassigned, (ulong)Ripas.Empty), (deeper.X1, deeper.X2, deeper.X4));
    }

    [Fact] // 35
    public void Item35_destroying_an_empty_protected_rtt_leaves_the_range_destroyed()
    {
        var (rd, _) = _s.Realm();
        var l1 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l1, 0, 1).Status);
        var r = _s.Call(RmiFid.RttDestroy, rd, 0, 1);
        Assert.Equal(RmiStatus.Success, r.Status);
        Assert.Equal(l1, r.X1);
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(l1));
        var e = _s.Call(RmiFid.RttReadEntry, rd, 0, 0);
        Assert.Equal(((ulong)RmiRttEntryState.Unassigned, (ulong)Ripas.Destroyed), (e.X2, e.X4));
        // An unprotected one goes back to UNASSIGNED_NS (reads as UNASSIGNED / EMPTY).
        var ns = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, ns, 1UL << 39, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttDestroy, rd, 1UL << 39, 1).Status);
        Assert.Equal((ulong)Ripas.Empty, _s.Call(RmiFid.RttReadEntry, rd, 1UL << 39, 0).X4);
    }

    [Fact]
    public void Destroying_a_table_that_holds_a_table_is_error_rtt_at_its_level()
    {
        var (rd, _) = _s.Realm();
        var l1 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l1, 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 2).Status);
        var r = _s.Call(RmiFid.RttDestroy, rd, 0, 1);
        Assert.Equal(0x104UL, r.X0);
        Assert.Equal(GranuleState.Rtt, _s.Rmm.GranuleStateOf(l1));
    }

    [Fact] // 42
    public void Item42_read_entry_level_4_or_beyond_the_ipa_space_is_input()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttReadEntry, rd, 0, 4).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttReadEntry, rd, 1UL << 40, 0).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttReadEntry, rd, 0x1000, 2).Status); // not 2 MiB aligned
    }

    [Fact]
    public void Failure_priority_rd_before_level_before_walk()
    {
        var (rd, _) = _s.Realm();
        var t = _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, t, t, 0, 3).Status);      // bad rd beats a short walk
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, rd, t, 0, 0).Status);     // level_bound beats rtt_walk
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttCreate, rd, _s.Granule(), 0, 3).Status); // rtt_state beats rtt_walk
        Assert.Equal(RmiStatus.ErrorRtt, _s.Call(RmiFid.RttCreate, rd, t, 0, 3).Status);
    }
}
