using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// Pairwise failure priority (§4): a call that breaks two rules at once must report the one the
/// spec's order puts first. Only pairs with distinguishable outcomes (status or index) are listed;
/// two RMI_ERROR_INPUT checks cannot be told apart by a host.
/// </summary>
public sealed class FailurePriorityTests
{
    [Fact]
    public void Rec_create_flags_and_state_before_mpidr_and_aux_count()
    {
        var t = new RecSetup(recs: 1); // ACTIVE
        // realm_state (ERROR_REALM) beats mpidr_index (INPUT) and num_aux (INPUT)
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(7)).Status);
        // rd_state (INPUT) beats realm_state: a REC granule as rd
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Recs[0], t.S.Delegated(), t.RecParamsPage(1)).Status);
        // num_aux > 16 (INPUT, step 2) beats realm_state (ERROR_REALM, step 6)
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(1, numAux: 17)).Status);
    }

    [Fact]
    public void Rec_enter_rec_state_before_realm_and_realm_before_runnable_and_gic()
    {
        var t = new RecSetup(recs: 2, activate: false);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecEnter, t.Rd, t.Run).Status);           // rec_state beats realm NEW
        Assert.Equal(0x002UL, t.Enter(rec: 1, hcr: 1).X0);                                          // realm NEW beats not runnable and bad GIC state
        var a = new RecSetup(recs: 2);
        Assert.Equal(RmiStatus.ErrorInput, a.S.Call(RmiFid.RecEnter, a.Rd, a.Run).Status);           // rec_state beats rec_gicv3
        a.Program(0, new GuestStep.Smc(Psci.SystemOff));
        RecSetup.Ok(a.Enter());
        Assert.Equal(0x102UL, a.Enter(rec: 1, hcr: 1).X0);                                          // SYSTEM_OFF beats not runnable
    }

    [Fact]
    public void Rtt_destroy_walk_before_live_and_fold_level_before_walk()
    {
        var s = new RealmSetup();
        var (rd, _) = s.Realm();
        Assert.Equal(RmiStatus.Success, s.Call(RmiFid.RttCreate, rd, s.Delegated(), 0, 1).Status);
        Assert.Equal(RmiStatus.Success, s.Call(RmiFid.RttCreate, rd, s.Delegated(), 0, 2).Status);
        // No level-3 table at 0: the walk stops at 2 (index 2), not "live" (index 3).
        Assert.Equal(0x204UL, s.Call(RmiFid.RttDestroy, rd, 0, 3).X0);
        // Level 1 is live (it holds a table): index 1.
        Assert.Equal(0x104UL, s.Call(RmiFid.RttDestroy, rd, 0, 1).X0);
        // FOLD: level_bound (INPUT) beats rtt_walk; rtt_walk beats rtte_homo.
        Assert.Equal(RmiStatus.ErrorInput, s.Call(RmiFid.RttFold, rd, 0x4000_0000, 0).Status);
        Assert.Equal(0x104UL, s.Call(RmiFid.RttFold, rd, 0x4000_0000, 3).X0);
    }

    [Fact]
    public void Unprotected_level_and_ipa_before_walk()
    {
        var s = new RealmSetup();
        var (rd, _) = s.Realm();
        ulong ns = 1UL << 39;
        Assert.Equal(RmiStatus.ErrorInput, s.Call(RmiFid.RttMapUnprotected, rd, ns, 4, 0).Status);       // level_bound beats walk
        Assert.Equal(RmiStatus.ErrorInput, s.Call(RmiFid.RttMapUnprotected, rd, 0x20_0000, 2, 0).Status); // protected ipa beats walk
        Assert.Equal(RmiStatus.ErrorInput, s.Call(RmiFid.RttUnmapUnprotected, rd, 1UL << 40, 3).Status);  // ipa_bound beats walk
        Assert.Equal(0x004UL, s.Call(RmiFid.RttUnmapUnprotected, rd, ns, 3).X0);                           // then the walk (stops at 0)
    }

    [Fact]
    public void Init_ripas_size_and_alignment_before_state_and_state_before_walk()
    {
        var t = new RecSetup(recs: 1); // ACTIVE
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttInitRipas, t.Rd, 0x20000, 0x10000).Status); // size_valid beats realm_state
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttInitRipas, t.Rd, 0x20000, 0x20800).Status); // top_gran_align beats realm_state
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.RttInitRipas, t.Rd, 0x4000_0000, 0x4000_1000).Status); // realm_state beats rtt walk
    }

    [Fact]
    public void Set_ripas_base_and_top_must_follow_the_request()
    {
        var t = new RecSetup();
        t.Program(0, new GuestStep.Smc(RsiFid.IpaStateSet, 0x2000, 0x4000, 0, 0));
        RecSetup.Ok(t.Enter());
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x3000, 0x4000).Status); // base_bound
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x2000, 0x5000).Status); // top_bound
        Assert.Equal(RmiStatus.Success, t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x2000, 0x3000).Status);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x2000, 0x4000).Status); // base moved on to 0x3000
    }

    [Fact]
    public void Data_create_flags_before_state_and_state_before_ipa()
    {
        var t = new RecSetup(recs: 1); // ACTIVE
        var src = t.S.Granule();
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.DataCreate, t.Rd, t.S.Delegated(), 0x20000, src, 2).Status);        // flags beat realm_state
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.DataCreate, t.Rd, t.S.Delegated(), 1UL << 39, src, 0).Status);     // realm_state beats ipa
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.DataDestroy, t.Rd, 1UL << 39).Status);                              // ipa beats walk
        Assert.Equal(0x304UL, t.S.Call(RmiFid.DataDestroy, t.Rd, 0x20000).X0);                                                  // then the entry state
    }
}
