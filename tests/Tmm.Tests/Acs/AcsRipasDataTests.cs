using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Tests.Acs.Acs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// ACS command scenarios of RTT_INIT_RIPAS, RTT_SET_RIPAS, DATA_CREATE, DATA_CREATE_UNKNOWN and
/// DATA_DESTROY. Where ACS EAC and the digest disagree (a top that ends inside the RTT entry after
/// the first: EAC's top_rtt_align, a failure; the digest processes what fits and reports how far it
/// got, as ACS REL0's no_progress case agrees), the digest is followed — see the tests named so.
/// </summary>
public sealed class AcsRipasDataTests
{
    private const ulong L2 = 0x20_0000;
    private static readonly ulong Beyond = 1UL << 40;

    private static AcsCall Init(AcsWorld w, ulong? rd = null, ulong baseIpa = AcsWorld.EmptyIpa, ulong? top = null) =>
        new(RmiFid.RttInitRipas, rd ?? w.New.Rd, baseIpa, top ?? baseIpa + 0x1000);

    internal static readonly IReadOnlyDictionary<string, Stimulus> InitFailures = Table(
        Rd((w, rd) => Init(w, rd: rd)),
        [
            new("size_valid: top equals base", w => Init(w, top: AcsWorld.EmptyIpa), ErrorInput),
            new("size_valid: top below base", w => Init(w, top: AcsWorld.EmptyIpa - 0x1000), ErrorInput),
            new("top_bound: top in the unprotected half", w => Init(w, top: w.New.Ns + 0x1000), ErrorInput),
            new("top_bound: base and top in the unprotected half", w => Init(w, baseIpa: w.New.Ns, top: w.New.Ns + 0x1000), ErrorInput),
            new("top_gran_align: top not 4 KiB aligned", w => Init(w, top: AcsWorld.EmptyIpa + 0x800), ErrorInput),
            new("base_gran_align: base not 4 KiB aligned", w => Init(w, baseIpa: AcsWorld.EmptyIpa + 0x800, top: AcsWorld.EmptyIpa + 0x2000), ErrorInput),
            new("realm_state: ACTIVE", w => Init(w, rd: w.Active.Rd), ErrorRealm),
            new("realm_state: SYSTEM_OFF", w => Init(w, rd: w.SystemOff.Rd), ErrorRealm),
            new("realm_state_null: the Realm was destroyed (rd DELEGATED)", w => Init(w, rd: w.DestroyedRd), ErrorInput),
            new("base_align: base not aligned to the level-2 entry the walk reaches", w => Init(w, baseIpa: L2 + 0x1000, top: 2 * L2), ErrorRtt(2)),
            new("rtte_state: the first entry is ASSIGNED", w => Init(w, baseIpa: AcsWorld.AssignedIpa), ErrorRtt(3)),
            new("rtte_state: the first entry is DESTROYED", w => { w.Host.Ok(RmiFid.DataDestroy, w.New.Rd, AcsWorld.AssignedIpa); return Init(w, baseIpa: AcsWorld.AssignedIpa); }, ErrorRtt(3)),
            new("no_progress: the first level-2 entry ends beyond top", w => Init(w, baseIpa: L2, top: L2 + 0x1000), ErrorRtt(2)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> InitPriorities = Table(
    [
        new("top_gran_align beats no_progress (top_rtt_align in EAC)", w => Init(w, baseIpa: L2, top: L2 + 0x800), ErrorInput),
        new("top_bound beats realm_state", w => Init(w, rd: w.Active.Rd, top: w.Active.Ns + 0x1000), ErrorInput),
        new("realm_state beats base_align", w => Init(w, rd: w.Active.Rd, baseIpa: L2 + 0x1000, top: 2 * L2), ErrorRealm),
        new("realm_state beats rtte_state", w => Init(w, rd: w.Active.Rd, baseIpa: AcsWorld.AssignedIpa), ErrorRealm),
    ]);

    /// <summary>
    /// An ACTIVE Realm whose REC 0 asked IPA_STATE_SET(RAM) over [64 KiB, 96 KiB) and REC 1 over
    /// [2 MiB + 4 KiB, 4 MiB) — where the walk stops at level 2 — and REC 2 over [2 MiB, 2 MiB + 4 KiB).
    /// </summary>
    private static TestRealm Asked(AcsWorld w) => w.Memo("ripas", () =>
    {
        var r = w.Host.Realm().Populate(recs: 3, allRunnable: true);
        r.Activate();
        foreach (var (rec, b, t) in new[] { (0, 0x10000UL, 0x18000UL), (1, L2 + 0x1000, 2 * L2), (2, L2, L2 + 0x1000) })
            Assert.Equal(RecExitReason.RipasChange, r.SmcExits(rec, RsiFid.IpaStateSet, b, t, (ulong)Ripas.Ram, 0).Reason);
        return r;
    });

    private static AcsCall Set(AcsWorld w, ulong? rd = null, ulong? rec = null, ulong baseIpa = 0x10000, ulong top = 0x18000) =>
        new(RmiFid.RttSetRipas, rd ?? Asked(w).Rd, rec ?? Asked(w).Recs[0], baseIpa, top);

    internal static readonly IReadOnlyDictionary<string, Stimulus> SetFailures = Table(
        Rd((w, rd) => Set(w, rd: rd), w => Asked(w)),
        Address("rec", w => Asked(w).Recs[0], (w, rec) => Set(w, rec: rec), "UNDELEGATED", "DELEGATED", "RD", "RTT", "DATA", "REC_AUX"),
        [
            new("rec_owner: the REC is another Realm's", w => Set(w, rec: w.Active.Recs[0]), ErrorRec),
            new("rec_state: RUNNING (on another CPU)", w =>
            {
                var r = Asked(w);
                Assert.Equal(0UL, r.EnterOnCpu(0).X0); // the request is answered on entry; the REC then runs
                return Set(w);
            }, ErrorRec),
            new("size_valid: top equals base", w => Set(w, top: 0x10000), ErrorInput),
            new("size_valid: top below base", w => Set(w, top: 0xF000), ErrorInput),
            new("base_bound: base is not the REC's ripas_addr", w => Set(w, baseIpa: 0x11000), ErrorInput),
            new("base_bound: the REC has no RIPAS request", w => Set(w, rd: w.Active.Rd, rec: w.Active.Recs[0]), ErrorInput),
            new("top_bound: top beyond the REC's ripas_top", w => Set(w, top: 0x19000), ErrorInput),
            new("top_gran_align: top not 4 KiB aligned", w => Set(w, top: 0x10800), ErrorInput),
            new("base_align: base not aligned to the level-2 entry the walk reaches", w => Set(w, rec: Asked(w).Recs[1], baseIpa: L2 + 0x1000, top: 2 * L2), ErrorRtt(2)),
            new("no_progress: the first level-2 entry ends beyond top", w => Set(w, rec: Asked(w).Recs[2], baseIpa: L2, top: L2 + 0x1000), ErrorRtt(2)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> SetPriorities = Table(
    [
        new("base_bound beats base_align", w => Set(w, rec: Asked(w).Recs[1], baseIpa: L2 + 0x800, top: 2 * L2), ErrorInput),
        new("top_gran_align beats no_progress (top_rtt_align in EAC)", w => Set(w, rec: Asked(w).Recs[2], baseIpa: L2, top: L2 + 0x800), ErrorInput),
        new("rec_owner beats base_bound", w => Set(w, rec: w.Active.Recs[0], baseIpa: 0x11000), ErrorRec),
        new("rec_state beats base_bound", w => { Assert.Equal(0UL, Asked(w).EnterOnCpu(0).X0); return Set(w, baseIpa: 0x11000); }, ErrorRec),
        new("size_valid beats rec_owner", w => Set(w, rec: w.Active.Recs[0], top: 0x10000), ErrorInput),
    ]);

    private static AcsCall Create(AcsWorld w, ulong? rd = null, ulong? data = null, ulong ipa = AcsWorld.DataIpa, ulong? src = null, ulong flags = 1) =>
        new(RmiFid.DataCreate, rd ?? w.New.Rd, data ?? w.Host.Delegated(), ipa, src ?? w.Host.Page(Enumerable.Repeat((byte)0xC3, 4096).ToArray()), flags);

    private static IEnumerable<Stimulus> IpaCases(Func<AcsWorld, ulong, AcsCall> at, ulong valid, ulong walkIndex, string entryLabel, Func<AcsWorld, ulong> entry, int entryIndex) =>
    [
        new("ipa_align: not 4 KiB aligned", w => at(w, valid + 0x800), ErrorInput),
        new("ipa_bound: an unprotected IPA", w => at(w, w.New.Ns + valid), ErrorInput),
        new("ipa_bound: beyond the IPA width", w => at(w, Beyond), ErrorInput),
        new("rtt_walk: no level-3 table (the walk stops at 2)", w => at(w, L2), ErrorRtt((int)walkIndex)),
        new($"rtte_state: {entryLabel}", w => at(w, entry(w)), ErrorRtt(entryIndex)),
    ];

    /// <summary>ACS: an unprotected IPA is refused before the walk is judged, whether the walk would stop short or meet a mapped entry.</summary>
    private static IEnumerable<Stimulus> IpaPriorities(Func<AcsWorld, ulong, AcsCall> at) =>
    [
        new("ipa_bound beats rtt_walk", w => at(w, w.New.Ns + L2), ErrorInput),
        new("ipa_bound beats rtte_state", w => { w.Host.Ok(RmiFid.RttMapUnprotected, w.New.Rd, w.New.Ns + 0x1000, 3, 0x8000_0000); return at(w, w.New.Ns + 0x1000); }, ErrorInput),
    ];

    internal static readonly IReadOnlyDictionary<string, Stimulus> CreateFailures = Table(
        Address("src", w => w.Host.Page(new byte[4096]), (w, src) => Create(w, src: src)),
        Pas("src", (w, src) => Create(w, src: src)),
        Address("data", w => w.Host.Delegated(), (w, data) => Create(w, data: data), "UNDELEGATED", "RD", "REC", "RTT", "DATA", "REC_AUX"),
        Rd((w, rd) => Create(w, rd: rd)),
        [
            new("data_pas: secure PAS", w => Create(w, data: w.Host.SecurePas), ErrorInput),
            new("flags: neither NO_MEASURE_CONTENT nor MEASURE_CONTENT", w => Create(w, flags: 2), ErrorInput),
            new("realm_state: ACTIVE", w => Create(w, rd: w.Active.Rd, ipa: AcsWorld.EmptyIpa), ErrorRealm),
            new("realm_state: SYSTEM_OFF", w => Create(w, rd: w.SystemOff.Rd, ipa: AcsWorld.EmptyIpa), ErrorRealm),
            new("realm_state_null: the Realm was destroyed (rd DELEGATED)", w => Create(w, rd: w.DestroyedRd), ErrorInput),
            .. IpaCases((w, ipa) => Create(w, ipa: ipa), AcsWorld.DataIpa, 2, "ASSIGNED", _ => AcsWorld.AssignedIpa, 3),
            .. IpaPriorities((w, ipa) => Create(w, ipa: ipa)),
            new("flags beats realm_state", w => Create(w, rd: w.Active.Rd, flags: 2), ErrorInput),
            new("src_pas beats realm_state", w => Create(w, rd: w.Active.Rd, src: w.Host.Delegated()), ErrorInput),
            new("data_state beats realm_state", w => Create(w, rd: w.Active.Rd, data: w.Host.Granule()), ErrorInput),
            new("realm_state beats ipa_bound", w => Create(w, rd: w.Active.Rd, ipa: w.Active.Ns), ErrorRealm),
            new("realm_state beats rtt_walk", w => Create(w, rd: w.Active.Rd, ipa: L2), ErrorRealm),
        ]);

    private static AcsCall Unknown(AcsWorld w, ulong? rd = null, ulong? data = null, ulong ipa = AcsWorld.DataIpa) =>
        new(RmiFid.DataCreateUnknown, rd ?? w.New.Rd, data ?? w.Host.Delegated(), ipa);

    internal static readonly IReadOnlyDictionary<string, Stimulus> UnknownFailures = Table(
        Address("data", w => w.Host.Delegated(), (w, data) => Unknown(w, data: data), "UNDELEGATED", "RD", "REC", "RTT", "DATA", "REC_AUX"),
        Rd((w, rd) => Unknown(w, rd: rd)),
        [
            new("realm_state_null: the Realm was destroyed (rd DELEGATED)", w => Unknown(w, rd: w.DestroyedRd), ErrorInput),
            .. IpaCases((w, ipa) => Unknown(w, ipa: ipa), AcsWorld.DataIpa, 2, "ASSIGNED", _ => AcsWorld.AssignedIpa, 3),
            .. IpaPriorities((w, ipa) => Unknown(w, ipa: ipa)),
        ]);

    private static AcsCall Destroy(AcsWorld w, ulong? rd = null, ulong ipa = AcsWorld.AssignedIpa) => new(RmiFid.DataDestroy, rd ?? w.New.Rd, ipa);

    internal static readonly IReadOnlyDictionary<string, Stimulus> DestroyFailures = Table(
        Rd((w, rd) => Destroy(w, rd: rd)),
        [
            .. IpaCases((w, ipa) => Destroy(w, ipa: ipa), AcsWorld.AssignedIpa, 2, "UNASSIGNED", _ => AcsWorld.DataIpa, 3),
            .. IpaPriorities((w, ipa) => Destroy(w, ipa: ipa)),
            new("ipa_bound beats rtte_state (UNASSIGNED_NS)", w => Destroy(w, ipa: w.New.Ns + 0x1000), ErrorInput),
        ]);

    public static TheoryData<string> InitCases => Labels(InitFailures);
    public static TheoryData<string> InitPriorityCases => Labels(InitPriorities);
    public static TheoryData<string> SetCases => Labels(SetFailures);
    public static TheoryData<string> SetPriorityCases => Labels(SetPriorities);
    public static TheoryData<string> CreateCases => Labels(CreateFailures);
    public static TheoryData<string> UnknownCases => Labels(UnknownFailures);
    public static TheoryData<string> DestroyCases => Labels(DestroyFailures);

    [Theory, MemberData(nameof(InitCases))] public void Rtt_init_ripas_fails(string label) => Check(InitFailures[label]);
    [Theory, MemberData(nameof(InitPriorityCases))] public void Rtt_init_ripas_priority(string label) => Check(InitPriorities[label]);
    [Theory, MemberData(nameof(SetCases))] public void Rtt_set_ripas_fails(string label) => Check(SetFailures[label]);
    [Theory, MemberData(nameof(SetPriorityCases))] public void Rtt_set_ripas_priority(string label) => Check(SetPriorities[label]);
    [Theory, MemberData(nameof(CreateCases))] public void Data_create_fails(string label) => Check(CreateFailures[label]);
    [Theory, MemberData(nameof(UnknownCases))] public void Data_create_unknown_fails(string label) => Check(UnknownFailures[label]);
    [Theory, MemberData(nameof(DestroyCases))] public void Data_destroy_fails(string label) => Check(DestroyFailures[label]);

    [Fact]
    public void Rtt_init_ripas_with_top_inside_the_next_entry_processes_what_fits_digest_not_acs_eac()
    {
        // ACS EAC (top_rtt_align) expects RMI_ERROR_RTT index 2 for base at a level-2 entry and top =
        // base + 2 MiB + 4 KiB. The digest: entries are processed while they end at or below top, and
        // X1 says how far; ACS REL0 replaced the case with no_progress. This follows the digest.
        var w = new AcsWorld();
        var r = w.Host.Call(RmiFid.RttInitRipas, w.New.Rd, L2, 2 * L2 + 0x1000);
        Assert.Equal((0UL, 2 * L2), (r.X0, r.X1));
        Assert.Equal((2UL, (ulong)Ripas.Ram), (w.New.ReadEntry(L2, 2).X1, w.New.ReadEntry(L2, 2).X4));
        Assert.Equal((ulong)Ripas.Empty, w.New.ReadEntry(2 * L2, 2).X4);
    }

    [Fact]
    public void Rtt_set_ripas_with_top_inside_the_next_entry_processes_what_fits_digest_not_acs_eac()
    {
        // As for RTT_INIT_RIPAS: EAC's top_rtt_align wants RMI_ERROR_RTT(2); the digest applies what fits.
        var w = new AcsWorld();
        var r = w.Host.Realm().Populate(recs: 1);
        r.Activate();
        r.SmcExits(0, RsiFid.IpaStateSet, L2, 3 * L2, (ulong)Ripas.Ram, 0);
        var s = w.Host.Call(RmiFid.RttSetRipas, r.Rd, r.Recs[0], L2, 2 * L2 + 0x1000);
        Assert.Equal((0UL, 2 * L2), (s.X0, s.X1));
        Assert.Equal(2 * L2, r.RecModel(0).PendingRipas!.Value.Addr);
    }

    [Fact]
    public void Rtt_init_ripas_makes_ram_entry_by_entry_and_says_how_far_it_got()
    {
        var w = new AcsWorld();
        var r = w.New;
        var rim = r.Model.Measurement.Value(0);
        var x = w.Host.Call(RmiFid.RttInitRipas, r.Rd, AcsWorld.EmptyIpa, AcsWorld.EmptyIpa + 0x3000);
        Assert.Equal((0UL, AcsWorld.EmptyIpa + 0x3000), (x.X0, x.X1));
        for (ulong ipa = AcsWorld.EmptyIpa; ipa < AcsWorld.EmptyIpa + 0x3000; ipa += 0x1000) Assert.Equal((ulong)Ripas.Ram, r.ReadEntry(ipa, 3).X4);
        Assert.Equal((ulong)Ripas.Empty, r.ReadEntry(AcsWorld.EmptyIpa + 0x3000, 3).X4);
        Assert.NotEqual(rim, r.Model.Measurement.Value(0));
        // A range crossing the level-3 table's end stops there: the host goes on from X1.
        var y = w.Host.Call(RmiFid.RttInitRipas, r.Rd, L2 - 0x2000, L2 + 0x2000);
        Assert.Equal((0UL, L2), (y.X0, y.X1));
    }

    [Fact]
    public void Rtt_set_ripas_changes_entries_moves_ripas_addr_and_the_realm_sees_how_far()
    {
        var w = new AcsWorld();
        var r = w.Host.Realm().Populate(recs: 1);
        r.Activate();
        // RAM → EMPTY over three ASSIGNED pages, in two host calls.
        r.SmcExits(0, RsiFid.IpaStateSet, 0x3000, 0x6000, (ulong)Ripas.Empty, 0);
        Assert.Equal(0x4000UL, w.Host.Ok(RmiFid.RttSetRipas, r.Rd, r.Recs[0], 0x3000, 0x4000).X1);
        Assert.Equal(0x6000UL, w.Host.Ok(RmiFid.RttSetRipas, r.Rd, r.Recs[0], 0x4000, 0x6000).X1);
        for (ulong ipa = 0x3000; ipa < 0x6000; ipa += 0x1000)
            Assert.Equal(((ulong)RmiRttEntryState.Assigned, (ulong)Ripas.Empty), (r.ReadEntry(ipa, 3).X2, r.ReadEntry(ipa, 3).X4));
        var seen = r.Resume(0).Outcomes.Single(o => o.Step is GuestStep.Smc { Fid: RsiFid.IpaStateSet });
        Assert.Equal(new ulong[] { RsiFid.Success, 0x6000, 0 /* ACCEPT */ }, seen.Registers);
        // DESTROYED changes only when the Realm asked with CHANGE_DESTROYED.
        w.Host.Ok(RmiFid.DataDestroy, r.Rd, 0x8000);
        r.SmcExits(0, RsiFid.IpaStateSet, 0x8000, 0x9000, (ulong)Ripas.Ram, 0);
        Assert.Equal(ErrorRtt(3), w.Host.Call(RmiFid.RttSetRipas, r.Rd, r.Recs[0], 0x8000, 0x9000).X0);
        var rejected = r.Resume(0, TestRealm.Entry(RecEntryFlags.RipasResponse)).Outcomes.Single(o => o.Step is GuestStep.Smc);
        Assert.Equal(new ulong[] { RsiFid.Success, 0x8000, 1 /* REJECT */ }, rejected.Registers);
        r.SmcExits(0, RsiFid.IpaStateSet, 0x8000, 0x9000, (ulong)Ripas.Ram, 1);
        Assert.Equal(0x9000UL, w.Host.Ok(RmiFid.RttSetRipas, r.Rd, r.Recs[0], 0x8000, 0x9000).X1);
        Assert.Equal((ulong)Ripas.Ram, r.ReadEntry(0x8000, 3).X4);
    }

    [Fact]
    public void Data_create_assigns_the_copied_page_as_ram()
    {
        var w = new AcsWorld();
        var r = w.New;
        var data = w.Host.Delegated();
        var src = w.Host.Page(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        var rim = r.Model.Measurement.Value(0);
        Assert.Equal(0UL, w.Host.Call(RmiFid.DataCreate, r.Rd, data, AcsWorld.DataIpa, src, 1).X0);
        Assert.Equal((3UL, (ulong)RmiRttEntryState.Assigned, data, (ulong)Ripas.Ram), (r.ReadEntry(AcsWorld.DataIpa, 3).X1, r.ReadEntry(AcsWorld.DataIpa, 3).X2, r.ReadEntry(AcsWorld.DataIpa, 3).X3, r.ReadEntry(AcsWorld.DataIpa, 3).X4));
        Assert.NotEqual(rim, r.Model.Measurement.Value(0));
        // Into an UNASSIGNED EMPTY entry too: it becomes RAM.
        Assert.Equal(0UL, w.Host.Call(RmiFid.DataCreate, r.Rd, w.Host.Delegated(), AcsWorld.EmptyIpa, src, 0).X0);
        Assert.Equal((ulong)Ripas.Ram, r.ReadEntry(AcsWorld.EmptyIpa, 3).X4);
        // The Realm reads the host's bytes.
        r.Rec();
        r.Activate();
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray(), r.ReadAsRealm(0, AcsWorld.DataIpa, 16));
    }

    [Theory]
    [InlineData(false, Ripas.Empty)]
    [InlineData(false, Ripas.Ram)]
    [InlineData(false, Ripas.Destroyed)]
    [InlineData(true, Ripas.Empty)]
    [InlineData(true, Ripas.Ram)]
    [InlineData(true, Ripas.Destroyed)]
    public void Data_create_unknown_keeps_the_ripas_and_data_destroy_leaves_the_one_the_digest_says(bool active, Ripas ripas)
    {
        var w = new AcsWorld();
        var r = w.Host.Realm().Populate(recs: 1);
        ulong ipa = ripas switch { Ripas.Empty => 0x20000, Ripas.Ram => 0x21000, _ => 0x22000 };
        if (ripas != Ripas.Empty) r.InitRipas(ipa, ipa + 0x1000);
        if (ripas == Ripas.Destroyed) { r.DataUnknown(ipa); w.Host.Ok(RmiFid.DataDestroy, r.Rd, ipa); }
        if (active) r.Activate();
        var rim = r.Model.Measurement.Value(0);
        var data = w.Host.Delegated();
        Assert.Equal(0UL, w.Host.Call(RmiFid.DataCreateUnknown, r.Rd, data, ipa).X0);
        var e = r.ReadEntry(ipa, 3);
        Assert.Equal(((ulong)RmiRttEntryState.Assigned, ripas == Ripas.Destroyed ? 0 : data, (ulong)ripas), (e.X2, e.X3, e.X4));
        Assert.Equal(rim, r.Model.Measurement.Value(0)); // not measured
        var d = w.Host.Call(RmiFid.DataDestroy, r.Rd, ipa);
        Assert.Equal((0UL, data), (d.X0, d.X1));
        Assert.Equal(L2, d.X2); // top: nothing live after it in the level-3 table, so its end
        var after = r.ReadEntry(ipa, 3);
        Assert.Equal(((ulong)RmiRttEntryState.Unassigned, (ulong)(ripas == Ripas.Empty ? Ripas.Empty : Ripas.Destroyed)), (after.X2, after.X4));
    }
}
