using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 21–29: REC lifecycle and entry checks.</summary>
public sealed class ConformanceRecTests
{
    [Fact] // 21
    public void Item21_rec_create_with_wrong_aux_count_or_undelegated_aux_is_input()
    {
        var t = new RecSetup(recs: 0, activate: false);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(0, numAux: 15)).Status);
        var aux = Enumerable.Range(0, 16).Select(_ => t.S.Delegated()).ToList();
        aux[3] = t.S.Granule();
        var rec = t.S.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Rd, rec, t.RecParamsPage(0, aux: aux)).Status);
        Assert.Equal(GranuleState.Delegated, t.S.Rmm.GranuleStateOf(rec));
    }

    [Fact] // 22
    public void Item22_rec_index_1_before_0_is_input()
    {
        var t = new RecSetup(recs: 0, activate: false);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(1)).Status);
        Assert.Equal(RmiStatus.Success, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(0)).Status);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(0, mpidr: 0x10)).Status); // bits outside affinity fields
    }

    [Fact] // 23
    public void Item23_rec_create_on_an_active_realm_is_error_realm()
    {
        var t = new RecSetup(recs: 1);
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.RecCreate, t.Rd, t.S.Delegated(), t.RecParamsPage(1)).Status);
    }

    [Fact] // 24
    public void Item24_rec_enter_on_a_new_realm_is_error_realm_index_0()
    {
        var t = new RecSetup(activate: false);
        Assert.Equal(0x002UL, t.Enter().X0);
    }

    [Fact] // 25
    public void Item25_run_in_a_delegated_granule_is_input_and_beats_realm_errors()
    {
        var t = new RecSetup(activate: false);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecEnter, t.Recs[0], t.S.Delegated()).Status);
    }

    [Fact] // 26
    public void Item26_a_rec_created_not_runnable_cannot_enter()
    {
        var t = new RecSetup(recs: 2);
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(rec: 1).Status);
    }

    [Theory] // 27
    [InlineData(1UL)]          // En
    [InlineData(1UL << 10)]
    public void Item27_entry_gicv3_hcr_en_or_bit_10_is_error_rec(ulong hcr)
    {
        var t = new RecSetup();
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(hcr: hcr).Status);
    }

    [Fact]
    public void Entry_list_registers_are_validated()
    {
        var t = new RecSetup();
        ulong valid = 1UL << 62 | 27; // pending vINTID 27
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(lr0: valid | 1UL << 61).Status);   // HW
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(lr0: 1UL << 62 | 1500).Status);    // reserved vINTID
        Assert.Equal(RmiStatus.Success, t.Enter(lr0: valid).Status);
    }

    [Fact] // 28
    public void Item28_emul_mmio_on_first_entry_is_error_rec()
    {
        var t = new RecSetup();
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(flags: 1).Status);
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(flags: 2).Status); // INJECT_SEA likewise
    }

    [Fact] // 29
    public void Item29_rec_destroy_returns_rec_and_aux_to_delegated_and_an_rd_is_input()
    {
        var t = new RecSetup();
        var rec = t.Recs[0];
        var aux = t.S.Rmm.RecAt(rec)!.Aux.ToArray();
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecDestroy, t.Rd).Status);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.GranuleUndelegate, rec).Status);   // item 9: REC state
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.GranuleUndelegate, aux[0]).Status); // and REC_AUX
        Assert.Equal(RmiStatus.ErrorRealm, t.S.Call(RmiFid.RealmDestroy, t.Rd).Status); // 18: a REC still exists
        Assert.Equal(RmiStatus.Success, t.S.Call(RmiFid.RecDestroy, rec).Status);
        Assert.Equal(GranuleState.Delegated, t.S.Rmm.GranuleStateOf(rec));
        Assert.All(aux, a => Assert.Equal(GranuleState.Delegated, t.S.Rmm.GranuleStateOf(a)));
        Assert.Equal(RmiStatus.Success, t.S.Call(RmiFid.GranuleUndelegate, rec).Status);
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RecEnter, rec, t.Run).Status);
    }
}
