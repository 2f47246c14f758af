using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Tests.Acs.Acs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>ACS command scenarios of RMI_REC_CREATE, RMI_REC_DESTROY, RMI_REC_ENTER and RMI_PSCI_COMPLETE, with the pairwise priorities.</summary>
public sealed class AcsRecTests
{
    private static AcsCall Create(AcsWorld w, ulong? rd = null, ulong? rec = null, ulong? parameters = null, TestRealm? realm = null)
    {
        var r = realm ?? w.New;
        return new(RmiFid.RecCreate, rd ?? r.Rd, rec ?? w.Host.Delegated(), parameters ?? r.RecParamsPage());
    }

    /// <summary>REC_CREATE in <paramref name="realm"/> (NEW by default) with RmiRecParams built by <paramref name="page"/>.</summary>
    private static Stimulus Params(string label, Func<AcsWorld, TestRealm, ulong> page, ulong x0, Func<AcsWorld, TestRealm>? realm = null, RmmConfig? config = null) =>
        new(label, w => { var r = (realm ?? (x => x.New))(w); return Create(w, parameters: page(w, r), realm: r); }, x0, config);

    private static ulong[] Aux(AcsWorld w, int i, ulong bad) => Enumerable.Range(0, 16).Select(k => k == i ? bad : w.Host.Delegated()).ToArray();

    internal static readonly IReadOnlyDictionary<string, Stimulus> CreateFailures = Table(
        Address("params", w => w.New.RecParamsPage(), (w, p) => Create(w, parameters: p)),
        Pas("params", (w, p) => Create(w, parameters: p)),
        Address("rec", w => w.Host.Delegated(), (w, rec) => Create(w, rec: rec), "UNDELEGATED", "RD", "REC", "RTT", "DATA", "REC_AUX"),
        Rd((w, rd) => Create(w, rd: rd)),
        [
            new("rd_state: NULL (its Realm destroyed)", w => Create(w, rd: w.DestroyedRd), ErrorInput),
            Params("realm_state: ACTIVE", (_, r) => r.RecParamsPage(), ErrorRealm, w => w.Active),
            Params("realm_state: SYSTEM_OFF", (_, r) => r.RecParamsPage(), ErrorRealm, w => w.SystemOff),
            Params("mpidr_index: index 1 skips rec_count 0", (_, r) => r.RecParamsPage(index: 1), ErrorInput),
            Params("mpidr_index: bits outside the affinity fields", (_, r) => r.RecParamsPage(mpidr: 0x10), ErrorInput),
            Params("mpidr_index: the index of a live REC", (_, r) => { r.Rec(); return r.RecParamsPage(index: 0); }, ErrorInput),
            Params("mpidr_index: the index of a destroyed REC", (w, r) =>
            {
                int k = r.Rec();
                w.Host.Ok(RmiFid.RecDestroy, r.Recs[k]);
                return r.RecParamsPage(index: k);
            }, ErrorInput),
            Params("max_recs: every REC index used (MAX_RECS_ORDER 0)", (_, r) => { r.Rec(); return r.RecParamsPage(); }, ErrorRealm, config: new RmmConfig { MaxRecsOrder = 0 }),
            Params("num_aux: not REC_AUX_COUNT", (_, r) => r.RecParamsPage(numAux: 15), ErrorInput),
            Params("num_aux: above 16", (_, r) => r.RecParamsPage(numAux: 17), ErrorInput),
            Params("aux_align: one aux not 4 KiB aligned", (w, r) => r.RecParamsPage(aux: Aux(w, 5, w.Host.Delegated() + 0x10)), ErrorInput),
            new("aux_alias: an aux is the rec granule", w =>
            {
                var rec = w.Host.Delegated();
                return Create(w, rec: rec, parameters: w.New.RecParamsPage(aux: Aux(w, 3, rec)));
            }, ErrorInput),
            Params("aux_alias: the same aux twice", (w, r) => { var a = Aux(w, 0, 0); a[0] = a[9]; return r.RecParamsPage(aux: a); }, ErrorInput),
            Params("aux_bound: device memory", (w, r) => r.RecParamsPage(aux: Aux(w, 15, AcsHost.Mmio)), ErrorInput),
            .. new[] { "UNDELEGATED", "RD", "REC", "RTT", "DATA", "REC_AUX" }.Select(state =>
                Params($"aux_state: {state}", (w, r) => r.RecParamsPage(aux: Aux(w, 7, w.Granule(state))), ErrorInput)),
        ]);

    /// <summary>Two failures at once: the one TF-RMM's order (digest §4) puts first must be reported.</summary>
    internal static readonly IReadOnlyDictionary<string, Stimulus> CreatePriorities = Table(
    [
        Params("params_pas beats realm_state", (w, _) => w.Host.Delegated(), ErrorInput, w => w.Active),
        Params("num_aux above 16 beats realm_state", (_, r) => r.RecParamsPage(numAux: 17), ErrorInput, w => w.Active),
        Params("aux_state beats realm_state", (w, r) => r.RecParamsPage(aux: Aux(w, 2, w.Host.Granule())), ErrorInput, w => w.Active),
        new("rec_state beats realm_state", w => Create(w, rec: w.Host.Granule(), realm: w.Active), ErrorInput),
        Params("max_recs beats mpidr_index", (_, r) => { r.Rec(); return r.RecParamsPage(index: 5); }, ErrorRealm, config: new RmmConfig { MaxRecsOrder = 0 }),
        Params("realm_state beats mpidr_index", (_, r) => r.RecParamsPage(index: 7), ErrorRealm, w => w.Active),
        Params("realm_state beats num_aux", (_, r) => r.RecParamsPage(numAux: 15), ErrorRealm, w => w.Active),
    ]);

    private static AcsCall Destroy(AcsWorld _, ulong rec) => new(RmiFid.RecDestroy, rec);

    internal static readonly IReadOnlyDictionary<string, Stimulus> DestroyFailures = Table(
        Address("rec", w => w.Other.Recs[0], Destroy, "UNDELEGATED", "DELEGATED", "RD", "REC_AUX", "RTT", "DATA"),
        [
            new("rec_state: RUNNING (on another CPU)", w =>
            {
                Assert.Equal(0UL, w.Active.EnterOnCpu(0).X0);
                return Destroy(w, w.Active.Recs[0]);
            }, ErrorRec),
        ]);

    /// <summary>REC_ENTER of REC <paramref name="rec"/> of <paramref name="realm"/> (the ACTIVE one), its run page holding <paramref name="entry"/>.</summary>
    private static AcsCall Enter(AcsWorld w, TestRealm? realm = null, int rec = 0, RecEntry? entry = null, ulong? recPa = null, ulong? run = null)
    {
        var r = realm ?? w.Active;
        var page = new byte[RecEntry.Size];
        (entry ?? new RecEntry()).Write(page);
        w.Host.Rmm.HostMemory.Write(r.RunPage(rec), page);
        return new(RmiFid.RecEnter, recPa ?? r.Recs[rec], run ?? r.RunPage(rec));
    }

    private static TestRealm WithRecs(AcsWorld w, int recs, bool activate = true)
    {
        var r = w.Host.Realm().Populate(recs: recs);
        if (activate) r.Activate();
        return r;
    }

    private static TestRealm NewWithRec(AcsWorld w) => WithRecs(w, 1, activate: false);

    /// <summary>An ACTIVE Realm whose REC 0 asked PSCI CPU_ON for REC 1 and waits for RMI_PSCI_COMPLETE.</summary>
    private static TestRealm PsciPending(AcsWorld w)
    {
        var r = WithRecs(w, 3);
        Assert.Equal(RecExitReason.Psci, r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x2000, 0x77).Reason);
        return r;
    }

    private static RecEntry Gic(ulong hcr = 0, params ulong[] lrs)
    {
        var e = new RecEntry { GicHcr = hcr };
        lrs.CopyTo(e.GicLrs, 0);
        return e;
    }

    private const ulong Pending27 = 1UL << 62 | 27; // a pending virtual interrupt, vINTID 27

    internal static readonly IReadOnlyDictionary<string, Stimulus> EnterFailures = Table(
        Address("run", w => w.Active.RunPage(0), (w, run) => Enter(w, run: run)),
        Pas("run", (w, run) => Enter(w, run: run)),
        Address("rec", w => w.Active.Recs[0], (w, rec) => Enter(w, recPa: rec), "UNDELEGATED", "DELEGATED", "RD", "RTT", "DATA", "REC_AUX"),
        [
            new("realm_new: the Realm is NEW", w => Enter(w, NewWithRec(w)), ErrorRealmAt(0)),
            new("system_off: the Realm is SYSTEM_OFF", w => Enter(w, w.SystemOff), ErrorRealmAt(1)),
            new("rec_runnable: REC not runnable", w => Enter(w, rec: 1), ErrorRec),
            new("rec_psci: a PSCI request is pending", w => Enter(w, PsciPending(w)), ErrorRec),
            new("rec_state: RUNNING (on another CPU)", w => { Assert.Equal(0UL, w.Active.EnterOnCpu(0).X0); return Enter(w); }, ErrorRec),
            new("rec_mmio: EMUL_MMIO without an emulatable abort", w => Enter(w, entry: TestRealm.Entry(RecEntryFlags.EmulMmio)), ErrorRec),
            new("rec_mmio: EMUL_MMIO after a non-emulatable abort", w =>
            {
                var r = w.Host.Realm().Populate(recs: 1);
                r.InitRipas(AcsWorld.EmptyIpa, AcsWorld.EmptyIpa + 0x1000); // RAM the host never backs
                r.Activate();
                var x = r.Run(0, new GuestStep.Load(AcsWorld.EmptyIpa)).Exit!;
                Assert.Equal((RecExitReason.Sync, 0UL), (x.Reason, x.Esr & Esr.Isv));
                return Enter(w, r, entry: TestRealm.Entry(RecEntryFlags.EmulMmio));
            }, ErrorRec),
            new("rec_sea: INJECT_SEA without a data abort at an unprotected IPA", w => Enter(w, entry: TestRealm.Entry(RecEntryFlags.InjectSea)), ErrorRec),
            new("rec_gicv3: gicv3_hcr sets En", w => Enter(w, entry: Gic(hcr: 1)), ErrorRec),
            new("rec_gicv3: gicv3_hcr sets a RES0 bit (10)", w => Enter(w, entry: Gic(hcr: 1UL << 10)), ErrorRec),
            new("rec_gicv3: gicv3_hcr sets bits 63:32", w => Enter(w, entry: Gic(hcr: 1UL << 40)), ErrorRec),
            new("rec_gicv3: a list register sets HW", w => Enter(w, entry: Gic(0, Pending27 | 1UL << 61)), ErrorRec),
            new("rec_gicv3: a list register sets pINTID bits", w => Enter(w, entry: Gic(0, Pending27 | 5UL << 32)), ErrorRec),
            new("rec_gicv3: a list register's vINTID is reserved (1020..8191)", w => Enter(w, entry: Gic(0, 1UL << 62 | 1023)), ErrorRec),
            new("rec_gicv3: two list registers with the same vINTID", w => Enter(w, entry: Gic(0, Pending27, 0, Pending27)), ErrorRec),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> EnterPriorities = Table(
    [
        new("rec_align beats rec_gicv3", w => Enter(w, entry: Gic(hcr: 1), recPa: w.Active.Recs[0] + 0x10), ErrorInput),
        new("rec_bound beats rec_gicv3", w => Enter(w, entry: Gic(hcr: 1), recPa: AcsHost.Mmio), ErrorInput),
        new("rec_gran_state beats rec_gicv3", w => Enter(w, entry: Gic(hcr: 1), recPa: w.Host.Granule()), ErrorInput),
        new("run_pas beats rec_runnable", w => Enter(w, rec: 1, run: w.Host.SecurePas), ErrorInput),
        new("run_pas beats realm_new", w => Enter(w, NewWithRec(w), run: w.Host.SecurePas), ErrorInput),
        new("run_pas beats system_off", w => Enter(w, w.SystemOff, run: w.Host.SecurePas), ErrorInput),
        new("run_bound beats rec_runnable", w => Enter(w, rec: 1, run: AcsHost.Mmio), ErrorInput),
        new("run_bound beats realm_new", w => Enter(w, NewWithRec(w), run: AcsHost.Mmio), ErrorInput),
        new("run_bound beats system_off", w => Enter(w, w.SystemOff, run: AcsHost.Mmio), ErrorInput),
        new("realm_new beats rec_runnable and rec_gicv3", w => { var r = WithRecs(w, 2, activate: false); return Enter(w, r, rec: 1, entry: Gic(hcr: 1)); }, ErrorRealmAt(0)),
        new("system_off beats rec_runnable", w =>
        {
            var r = WithRecs(w, 2);
            r.SmcExits(0, Psci.SystemOff);
            return Enter(w, r, rec: 1);
        }, ErrorRealmAt(1)),
        new("rec running beats system_off", w =>
        {
            var r = w.Host.Realm().Populate(recs: 2, allRunnable: true);
            r.Activate();
            Assert.Equal(0UL, r.EnterOnCpu(1).X0);
            r.SmcExits(0, Psci.SystemOff);
            return Enter(w, r, rec: 1);
        }, ErrorRec),
    ]);

    private static AcsCall Complete(AcsWorld _, ulong calling, ulong target, ulong status = Psci.Success) => new(RmiFid.PsciComplete, calling, target, status);

    private static TestRealm Pending(AcsWorld w) => w.Memo(nameof(PsciPending), () => PsciPending(w));

    internal static readonly IReadOnlyDictionary<string, Stimulus> CompleteFailures = Table(
        [new("alias: calling and target are the same REC", w => Complete(w, Pending(w).Recs[1], Pending(w).Recs[1]), ErrorInput)],
        Address("calling", w => Pending(w).Recs[0], (w, c) => Complete(w, c, Pending(w).Recs[1]), "UNDELEGATED", "DELEGATED", "RD", "RTT", "DATA", "REC_AUX"),
        Address("target", w => Pending(w).Recs[1], (w, t) => Complete(w, Pending(w).Recs[0], t), "UNDELEGATED", "DELEGATED", "RD", "RTT", "DATA", "REC_AUX"),
        [
            new("pending: the calling REC made no PSCI request", w => Complete(w, Pending(w).Recs[2], Pending(w).Recs[1]), ErrorInput),
            new("pending: the calling REC is another Realm's", w => Complete(w, w.Active.Recs[0], Pending(w).Recs[1]), ErrorInput),
            new("owner: the target is another Realm's REC with the MPIDR asked for", w => Complete(w, Pending(w).Recs[0], w.Active.Recs[1]), ErrorInput),
            new("target: the target's MPIDR is not the one asked for", w => Complete(w, Pending(w).Recs[0], Pending(w).Recs[2]), ErrorInput),
            new("status: CPU_ON completed with NOT_SUPPORTED", w => Complete(w, Pending(w).Recs[0], Pending(w).Recs[1], Psci.NotSupported), ErrorInput),
            new("status: CPU_ON completed DENIED for a target already on", w =>
            {
                var r = WithRecs(w, 2);
                r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x2000, 0);
                w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
                r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x2000, 0);
                return Complete(w, r.Recs[0], r.Recs[1], Psci.Denied);
            }, ErrorInput),
            new("status: AFFINITY_INFO completed DENIED", w =>
            {
                var r = WithRecs(w, 2);
                r.SmcExits(0, Psci.AffinityInfo, Mpidr.Of(1), 0);
                return Complete(w, r.Recs[0], r.Recs[1], Psci.Denied);
            }, ErrorInput),
        ]);

    public static TheoryData<string> CreateCases => Labels(CreateFailures);
    public static TheoryData<string> CreatePriorityCases => Labels(CreatePriorities);
    public static TheoryData<string> DestroyCases => Labels(DestroyFailures);
    public static TheoryData<string> EnterCases => Labels(EnterFailures);
    public static TheoryData<string> EnterPriorityCases => Labels(EnterPriorities);
    public static TheoryData<string> CompleteCases => Labels(CompleteFailures);

    [Theory, MemberData(nameof(CreateCases))]
    public void Rec_create_fails(string label) => Check(CreateFailures[label]);

    [Theory, MemberData(nameof(CreatePriorityCases))]
    public void Rec_create_priority(string label) => Check(CreatePriorities[label]);

    [Theory, MemberData(nameof(DestroyCases))]
    public void Rec_destroy_fails(string label) => Check(DestroyFailures[label]);

    [Theory, MemberData(nameof(EnterCases))]
    public void Rec_enter_fails(string label) => Check(EnterFailures[label]);

    [Theory, MemberData(nameof(EnterPriorityCases))]
    public void Rec_enter_priority(string label) => Check(EnterPriorities[label]);

    [Theory, MemberData(nameof(CompleteCases))]
    public void Psci_complete_fails(string label) => Check(CompleteFailures[label]);

    [Fact]
    public void Rec_create_takes_the_rec_and_aux_granules_and_measures_only_a_runnable_rec()
    {
        var w = new AcsWorld();
        var r = w.New;
        var rim = r.Model.Measurement.Value(0);
        var aux = Enumerable.Range(0, 16).Select(_ => w.Host.Delegated()).ToArray();
        var rec = w.Host.Delegated();
        Assert.Equal(0UL, w.Host.Call(RmiFid.RecCreate, r.Rd, rec, r.RecParamsPage(runnable: false, aux: aux)).X0);
        Assert.Equal(Granules.GranuleState.Rec, w.Host.Rmm.GranuleStateOf(rec));
        Assert.All(aux, a => Assert.Equal(Granules.GranuleState.RecAux, w.Host.Rmm.GranuleStateOf(a)));
        Assert.Equal(rim, r.Model.Measurement.Value(0));                 // not runnable: not measured
        Assert.Equal((0, Mpidr.Of(0)), (w.Host.Rmm.RecAt(rec)!.Index, w.Host.Rmm.RecAt(rec)!.Mpidr));
        Assert.Equal(0UL, w.Host.Call(RmiFid.RecCreate, r.Rd, w.Host.Delegated(), r.RecParamsPage(runnable: true)).X0);
        Assert.NotEqual(rim, r.Model.Measurement.Value(0));              // runnable: the REC descriptor is in the RIM
        Assert.Equal((2, 2), (r.Model.NextRecIndex, r.Model.LiveRecs));
    }

    [Fact]
    public void Rec_destroy_gives_back_the_rec_and_its_aux_granules_and_the_rds_reference()
    {
        var w = new AcsWorld();
        var r = w.Host.Realm();
        int k = r.Rec();
        var aux = r.RecModel(k).Aux.ToArray();
        Assert.Equal(ErrorRealm, w.Host.Call(RmiFid.RealmDestroy, r.Rd).X0);
        Assert.Equal(0UL, w.Host.Call(RmiFid.RecDestroy, r.Recs[k]).X0);
        foreach (var g in aux.Append(r.Recs[k])) Assert.Equal(0UL, w.Host.Call(RmiFid.GranuleUndelegate, g).X0);
        Assert.Equal(0UL, w.Host.Call(RmiFid.RealmDestroy, r.Rd).X0);
    }

    [Fact]
    public void Rec_enter_returns_success_with_an_exit_record_whose_unused_fields_are_zero()
    {
        var w = new AcsWorld();
        var r = w.Active;
        var run = r.Run(0, new GuestStep.Interrupt());
        Assert.Equal(0UL, run.Status.X0);
        var x = run.Exit!;
        Assert.Equal((RecExitReason.Irq, 0UL, 0UL, 0UL, 0UL, 0UL, (ushort)0), (x.Reason, x.Esr, x.Far, x.Hpfar, x.RipasBase, x.RipasTop, x.Imm));
        Assert.All(x.Gprs, g => Assert.Equal(0UL, g));
        Assert.Equal((0UL, 0UL, 0UL, 0UL, 0UL, 0UL, (byte)0), (x.GicMisr, x.GicVmcr, x.CntpCtl, x.CntpCval, x.CntvCtl, x.CntvCval, x.PmuOvfStatus));
    }
}
