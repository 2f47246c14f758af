using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 10–20: the Realm lifecycle.</summary>
public sealed class ConformanceRealmTests
{
    private readonly RealmSetup _s = new();

    [Fact] // 10
    public void Item10_params_in_a_delegated_granule_is_input()
    {
        var rd = _s.Delegated();
        var rtt = _s.Delegated();
        var p = _s.Params(rttBase: rtt);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleDelegate, p).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, rd, p).Status);
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(rd));
    }

    [Theory] // 11
    [InlineData((byte)40, (byte)2)]   // reserved hash_algo
    [InlineData((byte)49, (byte)0)]   // s2sz above FeatureReg0.S2SZ (48)
    [InlineData((byte)31, (byte)0)]   // s2sz below 32
    public void Item11_bad_hash_or_s2sz_is_input(byte s2sz, byte hash)
    {
        var rd = _s.Delegated();
        var rtt = _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, rd, _s.Params(s2sz: s2sz, hash: hash, rttBase: rtt)).Status);
    }

    [Theory] // 12
    [InlineData((byte)40, 0L, 2u)]  // SL 0 needs 1 table
    [InlineData((byte)40, 1L, 1u)]  // SL 1 at 40 bits needs 2
    [InlineData((byte)40, 2L, 1u)]  // SL 2 only for 32..34 bits
    [InlineData((byte)32, 3L, 1u)]  // SL 3 never
    public void Item12_rtt_num_start_or_level_inconsistent_with_s2sz_is_input(byte s2sz, long sl, uint num)
    {
        var rd = _s.Delegated();
        var rtt = _s.Delegated();
        _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, rd, _s.Params(s2sz: s2sz, sl: sl, numStart: num, rttBase: rtt)).Status);
    }

    [Fact] // 13
    public void Item13_a_vmid_in_use_is_input_until_that_realm_is_destroyed()
    {
        var (rd1, _) = _s.Realm(vmid: 7);
        var rd2 = _s.Delegated();
        var rtt2 = _s.Delegated();
        var p = _s.Params(rttBase: rtt2, vmid: 7);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, rd2, p).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmDestroy, rd1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmCreate, rd2, p).Status);
    }

    [Fact] // 14
    public void Item14_rd_aliasing_the_rtt_or_undelegated_is_input()
    {
        var rtt = _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, rtt, _s.Params(rttBase: rtt)).Status);
        var undelegated = _s.Granule();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmCreate, undelegated, _s.Params(rttBase: rtt)).Status);
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(rtt));
    }

    [Fact] // 15
    public void Item15_a_new_realm_reads_unassigned_empty_in_both_halves()
    {
        var (rd, rtt) = _s.Realm();
        Assert.Equal(GranuleState.Rd, _s.Rmm.GranuleStateOf(rd));
        Assert.Equal(GranuleState.Rtt, _s.Rmm.GranuleStateOf(rtt));
        var prot = _s.Call(RmiFid.RttReadEntry, rd, 0, 0);
        Assert.Equal(RmiStatus.Success, prot.Status);
        Assert.Equal((0UL, (ulong)RmiRttEntryState.Unassigned, 0UL, (ulong)Ripas.Empty), (prot.X1, prot.X2, prot.X3, prot.X4));
        var unprot = _s.Call(RmiFid.RttReadEntry, rd, 1UL << 39, 0);
        Assert.Equal(RmiStatus.Success, unprot.Status);
        Assert.Equal(((ulong)RmiRttEntryState.Unassigned, (ulong)Ripas.Empty), (unprot.X2, unprot.X4));
    }

    [Fact] // 16
    public void Item16_activate_once_then_error_realm()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmActivate, rd).Status);
        Assert.Equal(SmcResult.Of(RmiStatus.ErrorRealm).X0, _s.Call(RmiFid.RealmActivate, rd).X0);
    }

    [Fact] // 17
    public void Item17_activate_of_a_destroyed_realm_is_input()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmDestroy, rd).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RealmActivate, rd).Status);
    }

    [Fact] // 18 (the TABLE case; RECs come with REC_CREATE)
    public void Item18_destroy_with_a_starting_level_table_is_error_realm()
    {
        var (rd, _) = _s.Realm();
        var l1 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l1, 0, 1).Status);
        Assert.Equal(RmiStatus.ErrorRealm, _s.Call(RmiFid.RealmDestroy, rd).Status);
        Assert.Equal(GranuleState.Rd, _s.Rmm.GranuleStateOf(rd));
    }

    [Fact] // 19
    public void Item19_destroy_after_teardown_frees_rd_and_root_rtts()
    {
        var (rd, rtt) = _s.Realm();
        var l1 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l1, 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttDestroy, rd, 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmDestroy, rd).Status);
        foreach (var g in new[] { rd, rtt, l1 })
            Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleUndelegate, g).Status);
        Assert.Equal(0, _s.Rmm.SecureMemory.GranulesInUse);
    }

    [Fact] // 20
    public void Item20_rec_aux_count_is_constant_and_needs_an_rd()
    {
        var (rd, rtt) = _s.Realm();
        var r = _s.Call(RmiFid.RecAuxCount, rd);
        Assert.Equal(RmiStatus.Success, r.Status);
        Assert.Equal(16UL, r.X1);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RecAuxCount, rtt).Status);
    }
}
