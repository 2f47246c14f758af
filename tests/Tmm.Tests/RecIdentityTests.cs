using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// A REC's identity inside its Realm is its index (the MPIDR encodes it). REC_CREATE must name
/// rec_count, which only grows: REC_DESTROY drops the RD's reference count and nothing else, so an
/// index is never handed out twice — not to a live REC's twin, not to a destroyed REC's successor.
/// </summary>
public sealed class RecIdentityTests
{
    private static SmcResult Create(RecSetup t, int index) => t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(index));

    private static ulong CreateOk(RecSetup t, int index)
    {
        var rec = t.S.Delegated();
        RecSetup.Ok(t.S.Call(RmiFid.RecCreate, t.Rd, rec, t.RecParamsPage(index, runnable: true)));
        t.Recs.Add(rec);
        return rec;
    }

    [Fact]
    public void After_destroying_rec_0_of_two_neither_mpidr_1_nor_0_can_be_created_again_only_2()
    {
        var t = new RecSetup(recs: 2, activate: false);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[0]));
        Assert.Equal(RmiStatus.ErrorInput, Create(t, 1).Status); // would be a second live REC with MPIDR 1
        Assert.Equal("mpidr 0x1 does not name the next REC index 2 (rec_count)", t.S.Rmm.LastError);
        Assert.Equal(RmiStatus.ErrorInput, Create(t, 0).Status); // the destroyed REC's index is used up
        CreateOk(t, 2);
        var realm = t.S.Rmm.Realms.Single();
        Assert.Equal((3, 2), (realm.NextRecIndex, realm.LiveRecs));
        Assert.Empty(t.S.Rmm.CheckInvariants());
    }

    [Fact]
    public void A_destroyed_rec_0_is_not_created_again()
    {
        var t = new RecSetup(recs: 1, activate: false);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[0]));
        Assert.Equal(RmiStatus.ErrorInput, Create(t, 0).Status);
        CreateOk(t, 1);
    }

    [Fact]
    public void Rec_destroy_only_drops_the_rds_reference_so_the_realm_can_be_destroyed_once_all_recs_are_gone()
    {
        var t = new RecSetup(recs: 2, activate: false);
        // Tear down everything but the RECs: RAM, then the tables.
        for (ulong ipa = 0; ipa < 0x10000; ipa += 0x1000) RecSetup.Ok(t.S.Call(RmiFid.DataDestroy, t.Rd, ipa));
        foreach (var (ipa, level) in new[] { (0UL, 3L), (0UL, 2L), (0UL, 1L), (RecSetup.Ns, 3L), (RecSetup.Ns, 2L), (RecSetup.Ns, 1L) })
            RecSetup.Ok(t.S.Call(RmiFid.RttDestroy, t.Rd, ipa, (ulong)level));
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[1]));
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.RealmDestroy, t.Rd).Status);
        Assert.Equal("the Realm still has 1 REC(s)", t.S.Rmm.LastError);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[0]));
        RecSetup.Ok(t.S.Call(RmiFid.RealmDestroy, t.Rd));
        Assert.Equal(GranuleState.Delegated, t.S.Rmm.GranuleStateOf(t.Rd));
    }

    [Fact]
    public void The_maximum_counts_indices_handed_out_not_recs_alive()
    {
        // MAX_RECS_ORDER 1: indices 0 and 1 only.
        var t = new RecSetup(recs: 2, activate: false, config: new RmmConfig { MaxRecsOrder = 1 });
        Assert.Equal(1UL, t.S.Call(RmiFid.Features, 0).X1 >> 38 & 0xF);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[1]));
        // One REC is alive, but index 2 does not exist: ERROR_REALM, and it beats mpidr_index.
        Assert.Equal(RmiStatus.ErrorRealm, Create(t, 2).Status);
        Assert.Equal(RmiStatus.ErrorRealm, Create(t, 1).Status);
        Assert.Equal("the Realm has used all 2 REC indices", t.S.Rmm.LastError);
    }

    [Fact]
    public void Psci_targets_are_checked_against_rec_count_so_a_rec_created_after_a_destroy_can_be_started()
    {
        // RECs 0 and 1, REC 0 destroyed, REC 2 created: rec_count 3, two RECs alive (1 and 2).
        var t = new RecSetup(recs: 2, activate: false);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[0]));
        CreateOk(t, 2); // t.Recs[2], runnable
        RecSetup.Ok(t.S.Call(RmiFid.RealmActivate, t.Rd));
        // REC 2 (index 2: above the two RECs alive, below rec_count) asks about REC 1, then starts it.
        t.Program(2, new GuestStep.Smc(Psci.CpuOn, Mpidr.Of(3), 0x1000, 0), // never handed out
            new GuestStep.Smc(Psci.AffinityInfo, Mpidr.Of(1), 0));
        RecSetup.Ok(t.Enter(rec: 2));
        Assert.Equal(Psci.InvalidParams, t.Guest(2).Log[0].X0);
        var x = t.Exit();
        Assert.Equal((RecExitReason.Psci, Psci.AffinityInfo, Mpidr.Of(1)), (x.Reason, x.Gprs[0], x.Gprs[1]));
        RecSetup.Ok(t.S.Call(RmiFid.PsciComplete, t.Recs[2], t.Recs[1], Psci.Success));
        Assert.Equal(Psci.AffinityOff, t.Guest(2).Log[^1].X0);
        t.Guest(2).Add(new GuestStep.Smc(Psci.CpuOn, Mpidr.Of(1), 0x2000, 0x55));
        RecSetup.Ok(t.Enter(rec: 2));
        RecSetup.Ok(t.S.Call(RmiFid.PsciComplete, t.Recs[2], t.Recs[1], Psci.Success));
        Assert.Equal(Psci.Success, t.Guest(2).Log[^1].X0);
        RecSetup.Ok(t.Enter(rec: 1));
    }

    [Fact]
    public void A_cpu_on_of_a_destroyed_recs_mpidr_goes_to_the_host_which_cannot_complete_it_with_another_rec()
    {
        var t = new RecSetup(recs: 3, activate: false, secondRunnable: true);
        RecSetup.Ok(t.S.Call(RmiFid.RecDestroy, t.Recs[2]));
        RecSetup.Ok(t.S.Call(RmiFid.RealmActivate, t.Rd));
        t.Program(0, new GuestStep.Smc(Psci.CpuOn, Mpidr.Of(2), 0x1000, 0));
        RecSetup.Ok(t.Enter());
        Assert.Equal((RecExitReason.Psci, Mpidr.Of(2)), (t.Exit().Reason, t.Exit().Gprs[1]));
        // REC 1 is the only other REC: its MPIDR is not the one asked for.
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.PsciComplete, t.Recs[0], t.Recs[1], Psci.Success).Status);
        Assert.Contains("is not the one requested", t.S.Rmm.LastError);
        Assert.Equal(RmiStatus.ErrorRec, t.Enter().Status); // the request stays pending
    }
}
