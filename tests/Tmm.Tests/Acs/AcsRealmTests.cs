using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Granules;
using static VirtCca.Tmm.Tests.Acs.Acs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>ACS command scenarios of RMI_REALM_CREATE, RMI_REALM_ACTIVATE, RMI_REALM_DESTROY and RMI_REC_AUX_COUNT.</summary>
public sealed class AcsRealmTests
{
    /// <summary>REALM_CREATE with valid arguments (a fresh RD, a fresh starting RTT, a 40-bit SL 0 Realm), one of them changed.</summary>
    private static AcsCall Create(AcsWorld w, ulong? rd = null, Func<ulong, RealmParams, RealmParams>? edit = null, int rtts = 1)
    {
        var r = rd ?? w.Host.Delegated();
        var rtt = w.Host.Delegated();
        for (int i = 1; i < rtts; i++) w.Host.Delegated();
        var p = w.Host.Params(rtt);
        return new(RmiFid.RealmCreate, r, w.Host.Page((edit?.Invoke(rtt, p) ?? p).ToGranule()));
    }

    private static AcsCall CreateWithParamsAt(AcsWorld w, ulong paramsPtr) => new(RmiFid.RealmCreate, w.Host.Delegated(), paramsPtr);

    private static Stimulus Params(string label, Func<ulong, RealmParams, RealmParams> edit, RmmConfig? config = null, int rtts = 1) =>
        new(label, w => Create(w, edit: edit, rtts: rtts), ErrorInput, config);

    internal static readonly IReadOnlyDictionary<string, Stimulus> CreateFailures = Table(
        Address("params", w => w.Host.Page(w.Host.Params(w.Host.Delegated()).ToGranule()), CreateWithParamsAt),
        Pas("params", CreateWithParamsAt),
        [
            Params("params_valid: hash_algo is a reserved encoding", (_, p) => p with { HashAlgo = 2 }),
            Params("params_valid: s2sz above RMI_FEATURES S2SZ", (_, p) => p with { S2sz = 49 }),
            Params("params_valid: s2sz below 32", (_, p) => p with { S2sz = 31 }),
            Params("params_supp: hash_algo not supported (SHA-512 off)", (_, p) => p with { HashAlgo = 1 }, new RmmConfig { Sha512 = false }),
            Params("params_supp: PMU requested, not supported", (_, p) => p with { Flags = RealmParams.FlagPmu, PmuNumCtrs = 1 }),
            Params("params_supp: SVE requested, not supported", (_, p) => p with { Flags = RealmParams.FlagSve }),
            Params("params_supp: LPA2 requested, not supported", (_, p) => p with { Flags = RealmParams.FlagLpa2 }),
            Params("params_supp: num_bps above NUM_BPS", (_, p) => p with { NumBps = 6 }),
            Params("params_supp: num_wps above NUM_WPS", (_, p) => p with { NumWps = 4 }),
            Params("params_supp: num_bps 0 (reserved)", (_, p) => p with { NumBps = 0 }),
            Params("params_supp: num_wps 0 (reserved)", (_, p) => p with { NumWps = 0 }),
            new("alias: rd is the starting RTT", w => { var rtt = w.Host.Delegated(); return new(RmiFid.RealmCreate, rtt, w.Host.Page(w.Host.Params(rtt).ToGranule())); }, ErrorInput),
            new("alias: rd is the second of two starting RTTs", w =>
            {
                var rtt = w.Host.Delegated();
                var second = w.Host.Delegated();
                return new(RmiFid.RealmCreate, second, w.Host.Page(w.Host.Params(rtt, s2sz: 40, sl: 1, numStart: 2).ToGranule()));
            }, ErrorInput),
        ],
        Address("rd", w => w.Host.Delegated(), (w, rd) => Create(w, rd: rd), "UNDELEGATED", "RD", "REC", "RTT", "DATA"),
        [
            Params("rtt_align: rtt_base not 4 KiB aligned", (rtt, p) => p with { RttBase = rtt + 0x10 }),
            Params("rtt_num_level: SL 1 at 40 bits needs 2 starting RTTs, not 1", (_, p) => p with { RttLevelStart = 1 }),
            Params("rtt_num_level: SL 2 is only for 32..34 bits", (_, p) => p with { RttLevelStart = 2 }),
            Params("rtt_num_level: SL 3 is never valid", (_, p) => p with { S2sz = 32, RttLevelStart = 3 }),
            Params("rtt_num_level: rtt_num_start 2 where SL 0 needs 1", (_, p) => p with { RttNumStart = 2 }, rtts: 2),
            Params("rtt_num_level: rtt_num_start above 16", (_, p) => p with { S2sz = 43, RttLevelStart = 1, RttNumStart = 17 }, rtts: 17),
            new("rtt_state: rtt_base undelegated", w => new(RmiFid.RealmCreate, w.Host.Delegated(), w.Host.Page(w.Host.Params(w.Host.Granule()).ToGranule())), ErrorInput),
            new("rtt_state: the second of two starting RTTs undelegated", w =>
            {
                var rtt = w.Host.Delegated();
                w.Host.Granule(); // rtt + 4 KiB stays the host's
                return new(RmiFid.RealmCreate, w.Host.Delegated(), w.Host.Page(w.Host.Params(rtt, sl: 1, numStart: 2).ToGranule()));
            }, ErrorInput),
            new("vmid_valid: vmid beyond the VMID width", w => Create(w, edit: (_, p) => p with { Vmid = 256 }), ErrorInput, new RmmConfig { VmidBits = 8 }),
            new("vmid_valid: vmid in use by a live Realm", w => { var used = w.New.Model.Vmid; return Create(w, edit: (_, p) => p with { Vmid = used }); }, ErrorInput),
        ]);

    private static AcsCall Activate(AcsWorld _, ulong rd) => new(RmiFid.RealmActivate, rd);

    internal static readonly IReadOnlyDictionary<string, Stimulus> ActivateFailures = Table(
        Rd(Activate),
        [
            new("realm_state: SYSTEM_OFF", w => Activate(w, w.SystemOff.Rd), ErrorRealm),
            new("realm_state: ACTIVE", w => Activate(w, w.Active.Rd), ErrorRealm),
            new("realm_state_null: the Realm was destroyed (rd DELEGATED)", w => Activate(w, w.DestroyedRd), ErrorInput),
        ]);

    private static AcsCall Destroy(AcsWorld _, ulong rd) => new(RmiFid.RealmDestroy, rd);

    internal static readonly IReadOnlyDictionary<string, Stimulus> DestroyFailures = Table(
        Rd(Destroy),
        [
            new("rd_state: NULL (the Realm already destroyed)", w => Destroy(w, w.DestroyedRd), ErrorInput),
            new("realm_live: a REC exists", w => { var r = w.Host.Realm(); r.Rec(); return Destroy(w, r.Rd); }, ErrorRealm),
            new("realm_live: a starting-level entry is TABLE", w => { var r = w.Host.Realm(); r.Table(0, 1); return Destroy(w, r.Rd); }, ErrorRealm),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> AuxCountFailures = Table(Rd((_, rd) => new(RmiFid.RecAuxCount, rd)));

    public static TheoryData<string> CreateCases => Labels(CreateFailures);
    public static TheoryData<string> ActivateCases => Labels(ActivateFailures);
    public static TheoryData<string> DestroyCases => Labels(DestroyFailures);
    public static TheoryData<string> AuxCountCases => Labels(AuxCountFailures);

    [Theory, MemberData(nameof(CreateCases))]
    public void Realm_create_fails(string label) => Check(CreateFailures[label]);

    [Theory, MemberData(nameof(ActivateCases))]
    public void Realm_activate_fails(string label) => Check(ActivateFailures[label]);

    [Theory, MemberData(nameof(DestroyCases))]
    public void Realm_destroy_fails(string label) => Check(DestroyFailures[label]);

    [Theory, MemberData(nameof(AuxCountCases))]
    public void Rec_aux_count_fails(string label) => Check(AuxCountFailures[label]);

    [Theory]
    [InlineData((byte)40, 0L, 1u)]
    [InlineData((byte)40, 1L, 2u)]   // more than one starting RTT
    [InlineData((byte)43, 1L, 16u)]
    [InlineData((byte)32, 2L, 4u)]
    [InlineData((byte)48, 0L, 1u)]
    public void Realm_create_builds_starting_rtts_that_read_unassigned_in_both_halves(byte s2sz, long sl, uint numStart)
    {
        var h = new AcsHost();
        var r = h.Realm(s2sz, sl, numStart);
        Assert.Equal(GranuleState.Rd, h.Rmm.GranuleStateOf(r.Rd));
        for (uint i = 0; i < numStart; i++) Assert.Equal(GranuleState.Rtt, h.Rmm.GranuleStateOf(r.RootRtt + i * 0x1000));
        ulong top = r.IpaLimit - Granule.MappedAt((int)sl);
        foreach (var ipa in new[] { 0UL, r.Ns - Granule.MappedAt((int)sl), r.Ns, top })
        {
            var e = r.ReadEntry(ipa, sl);
            Assert.Equal((0UL, (ulong)sl, (ulong)RmiRttEntryState.Unassigned, 0UL, (ulong)Ripas.Empty), (e.X0, e.X1, e.X2, e.X3, e.X4));
        }
        Assert.Equal(ErrorRealmAt(0), NewRealmEntry(r)); // NEW: cannot run yet
    }

    private static ulong NewRealmEntry(TestRealm r)
    {
        r.Rec();
        return r.Enter(0).X0;
    }

    [Fact]
    public void Realm_activate_moves_new_to_active_once()
    {
        var r = new AcsHost().Realm().Populate();
        Assert.Equal(0UL, r.Host.Call(RmiFid.RealmActivate, r.Rd).X0);
        Assert.Equal(Realms.RealmState.Active, r.Model.State);
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal(ErrorRealm, r.Host.Call(RmiFid.RealmActivate, r.Rd).X0);
    }

    [Fact]
    public void Realm_destroy_frees_rd_rtts_and_vmid_so_the_same_realm_can_be_created_again()
    {
        var h = new AcsHost();
        var rd = h.Delegated();
        var rtt = h.Delegated();
        var p = h.Page(h.Params(rtt, vmid: 9).ToGranule());
        h.Ok(RmiFid.RealmCreate, rd, p);
        Assert.Equal(0UL, h.Call(RmiFid.RealmDestroy, rd).X0);
        Assert.Equal((GranuleState.Delegated, GranuleState.Delegated), (h.Rmm.GranuleStateOf(rd), h.Rmm.GranuleStateOf(rtt)));
        Assert.Equal(0UL, h.Call(RmiFid.RealmCreate, rd, p).X0); // identical attributes, same VMID
        Assert.Equal(Realms.RealmState.New, h.Rmm.Realms.Single().State);
    }

    [Fact]
    public void Rec_aux_count_is_what_rec_create_needs()
    {
        var h = new AcsHost();
        var r = h.Realm();
        var count = h.Call(RmiFid.RecAuxCount, r.Rd);
        Assert.Equal((0UL, 16UL), (count.X0, count.X1));
        Assert.Equal(0UL, h.Call(RmiFid.RecCreate, r.Rd, h.Delegated(), r.RecParamsPage(numAux: count.X1)).X0);
        Assert.Equal(count.X1, (ulong)h.Rmm.RecAt(h.Rmm.DelegatedGranules.Single(g => g.State == GranuleState.Rec).Pa)!.Aux.Count);
    }
}
