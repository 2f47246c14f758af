using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Granules;
using static VirtCca.Tmm.Tests.Acs.Acs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// ACS command scenarios of the RTT commands: RTT_CREATE, RTT_DESTROY, RTT_FOLD, RTT_READ_ENTRY,
/// RTT_MAP_UNPROTECTED and RTT_UNMAP_UNPROTECTED, with the RTT-walk index each failure must report.
/// The Realm under test (<see cref="AcsWorld.New"/>) starts at level 0 with tables down to level 3
/// over [0, 2 MiB) and over the first unprotected 2 MiB: a walk to 2 MiB stops at level 2, one to
/// 1 GiB at level 1.
/// </summary>
public sealed class AcsRttTests
{
    private const ulong L2 = 0x20_0000, L1 = 0x4000_0000;
    private const ulong Desc = 0b01UL << 2 | 0b11UL << 6; // MemAttr 1, S2AP read/write
    private static readonly ulong Beyond = 1UL << 40;       // the first IPA outside a 40-bit Realm

    private static AcsCall Create(AcsWorld w, ulong? rd = null, ulong? rtt = null, ulong ipa = L2, long level = 3) =>
        new(RmiFid.RttCreate, rd ?? w.New.Rd, rtt ?? w.Host.Delegated(), ipa, (ulong)level);

    internal static readonly IReadOnlyDictionary<string, Stimulus> CreateFailures = Table(
        Rd((w, rd) => Create(w, rd: rd)),
        Address("rtt", w => w.Host.Delegated(), (w, rtt) => Create(w, rtt: rtt), "UNDELEGATED", "RD", "REC", "RTT", "DATA", "REC_AUX"),
        [
            new("level_bound: the starting level", w => Create(w, ipa: 0, level: 0), ErrorInput),
            new("level_bound: level 4", w => Create(w, level: 4), ErrorInput),
            new("level_bound: level -1", w => Create(w, ipa: 0, level: -1), ErrorInput),
            new("ipa_align: not aligned to a level-2 entry", w => Create(w, ipa: L2 + 0x1000), ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Create(w, ipa: Beyond), ErrorInput),
            new("rtt_walk: no level-2 table (the walk stops at 1)", w => Create(w, ipa: L1), ErrorRtt(1)),
            new("rtt_walk: no table below the starting level (stops at 0)", w => Create(w, rd: w.Host.Realm().Rd, ipa: 0), ErrorRtt(0)),
            new("rtte_state: the level-1 entry is already TABLE", w => Create(w, ipa: 0, level: 2), ErrorRtt(1)),
            new("rtte_state: the level-2 entry is already TABLE", w => Create(w, ipa: 0, level: 3), ErrorRtt(2)),
            new("rtte_state: unprotected, the level-2 entry is already TABLE", w => Create(w, ipa: w.New.Ns, level: 3), ErrorRtt(2)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> CreatePriorities = Table(
    [
        new("level_bound beats rtt_walk", w => Create(w, ipa: L1, level: 4), ErrorInput),
        new("ipa_align beats rtte_state", w => Create(w, ipa: 0x1000, level: 3), ErrorInput),
        new("rtt_state beats rtt_walk", w => Create(w, rtt: w.Host.Granule(), ipa: L1), ErrorInput),
        new("rtt_state beats rtte_state", w => Create(w, rtt: w.Granule("RTT"), ipa: 0, level: 3), ErrorInput),
    ]);

    private static AcsCall Destroy(AcsWorld w, ulong? rd = null, ulong ipa = L2, long level = 3) => new(RmiFid.RttDestroy, rd ?? w.New.Rd, ipa, (ulong)level);

    /// <summary>A level-2 ASSIGNED_NS block at the unprotected 2 MiB after the first (the walk there stops at level 2).</summary>
    private static ulong NsBlock(AcsWorld w)
    {
        ulong ipa = w.New.Ns + L2;
        w.Host.Ok(RmiFid.RttMapUnprotected, w.New.Rd, ipa, 2, 0x8000_0000 | Desc);
        return ipa;
    }

    /// <summary>A level-2 ASSIGNED block (512 contiguous DATA granules folded) at [2 MiB, 4 MiB) of <see cref="AcsWorld.New"/>.</summary>
    private static ulong AssignedBlock(AcsWorld w)
    {
        var r = w.New;
        r.Table(L2, 3);
        w.Host.AlignTo(L2); // the 512 granules must form one 2 MiB-aligned block
        for (int i = 0; i < 512; i++) r.DataUnknown(L2 + (ulong)i * 0x1000);
        w.Host.Ok(RmiFid.RttFold, r.Rd, L2, 3);
        return L2;
    }

    internal static readonly IReadOnlyDictionary<string, Stimulus> DestroyFailures = Table(
        Rd((w, rd) => Destroy(w, rd: rd)),
        [
            new("level_bound: the starting level", w => Destroy(w, ipa: 0, level: 0), ErrorInput),
            new("level_bound: level 4", w => Destroy(w, level: 4), ErrorInput),
            new("ipa_align: not aligned to a level-2 entry", w => { w.New.Table(L2, 3); return Destroy(w, ipa: L2 + 0x1000); }, ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Destroy(w, ipa: Beyond), ErrorInput),
            new("rtt_walk: no level-2 table (the walk stops at 1)", w => Destroy(w, ipa: L1), ErrorRtt(1)),
            new("rtte_state: the level-2 entry is UNASSIGNED", w => Destroy(w, ipa: L2), ErrorRtt(2)),
            new("rtte_state: the level-2 entry is ASSIGNED (a block)", w => Destroy(w, ipa: AssignedBlock(w)), ErrorRtt(2)),
            new("rtte_state: the level-2 entry is ASSIGNED_NS (a block)", w => Destroy(w, ipa: NsBlock(w)), ErrorRtt(2)),
            new("rtt_live: the level-3 table holds ASSIGNED entries", w => Destroy(w, ipa: 0), ErrorRtt(3)),
            new("rtt_live: the level-2 table holds a TABLE entry", w => Destroy(w, ipa: 0, level: 2), ErrorRtt(2)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> DestroyPriorities = Table(
    [
        new("level_bound beats rtt_walk", w => Destroy(w, ipa: L1, level: 4), ErrorInput),
        new("ipa_align beats rtt_live", w => Destroy(w, ipa: 0x1000, level: 3), ErrorInput),
        new("rtt_walk beats rtt_live (the walk is judged first)", w => Destroy(w, ipa: L1, level: 3), ErrorRtt(1)),
    ]);

    private static AcsCall Fold(AcsWorld w, ulong? rd = null, ulong ipa = L2, long level = 3) => new(RmiFid.RttFold, rd ?? w.New.Rd, ipa, (ulong)level);

    internal static readonly IReadOnlyDictionary<string, Stimulus> FoldFailures = Table(
        Rd((w, rd) => Fold(w, rd: rd)),
        [
            new("level_bound: the starting level", w => Fold(w, ipa: 0, level: 0), ErrorInput),
            new("level_bound: level 4", w => Fold(w, level: 4), ErrorInput),
            new("ipa_align: not aligned to a level-2 entry", w => { w.New.Table(L2, 3); return Fold(w, ipa: L2 + 0x1000); }, ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Fold(w, ipa: Beyond), ErrorInput),
            new("rtt_walk: no table below the starting level (stops at 0)", w => Fold(w, rd: w.Host.Realm().Rd, ipa: 0), ErrorRtt(0)),
            new("rtt_walk: no level-2 table (the walk stops at 1)", w => Fold(w, ipa: L1), ErrorRtt(1)),
            new("rtte_state: the level-2 entry is UNASSIGNED", w => Fold(w, ipa: L2), ErrorRtt(2)),
            new("rtte_state: the level-2 entry is ASSIGNED (a block)", w => Fold(w, ipa: AssignedBlock(w)), ErrorRtt(2)),
            new("rtte_state: the level-2 entry is ASSIGNED_NS (a block)", w => Fold(w, ipa: NsBlock(w)), ErrorRtt(2)),
            new("rtte_homo: ASSIGNED and UNASSIGNED entries", w => Fold(w, ipa: 0), ErrorRtt(3)),
            new("rtte_homo: UNASSIGNED entries with different RIPAS", w => { w.New.Table(L2, 3); w.New.InitRipas(L2, L2 + 0x1000); return Fold(w, ipa: L2); }, ErrorRtt(3)),
            new("rtte_homo: ASSIGNED entries not contiguous", w =>
            {
                w.New.Table(L2, 3);
                for (int i = 0; i < 512; i++) { if (i == 100) w.Host.Delegated(); w.New.DataUnknown(L2 + (ulong)i * 0x1000); }
                return Fold(w, ipa: L2);
            }, ErrorRtt(3)),
            new("rtte_homo: ASSIGNED_NS entries with different attributes", w =>
            {
                var r = w.New;
                for (int i = 0; i < 512; i++) w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + (ulong)i * 0x1000, 3, 0x8000_0000 + (ulong)i * 0x1000 | (i == 7 ? 0 : Desc));
                return Fold(w, ipa: r.Ns);
            }, ErrorRtt(3)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> FoldPriorities = Table(
    [
        new("level_bound beats rtt_walk", w => Fold(w, ipa: L1, level: 4), ErrorInput),
        new("level_bound beats rtte_state", w => Fold(w, ipa: L2, level: 0), ErrorInput),
    ]);

    private static AcsCall Read(AcsWorld w, ulong? rd = null, ulong ipa = 0, long level = 3) => new(RmiFid.RttReadEntry, rd ?? w.New.Rd, ipa, (ulong)level);

    internal static readonly IReadOnlyDictionary<string, Stimulus> ReadFailures = Table(
        Rd((w, rd) => Read(w, rd: rd)),
        [
            new("level_bound: level 4", w => Read(w, level: 4), ErrorInput),
            new("level_bound: below the starting level", w => Read(w, level: -1), ErrorInput),
            new("ipa_align: not aligned to a level-3 entry", w => Read(w, ipa: 0x800), ErrorInput),
            new("ipa_align: not aligned to a level-2 entry", w => Read(w, ipa: 0x1000, level: 2), ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Read(w, ipa: Beyond), ErrorInput),
        ]);

    private static AcsCall Map(AcsWorld w, ulong? rd = null, ulong? ipa = null, long level = 3, ulong? desc = null) =>
        new(RmiFid.RttMapUnprotected, rd ?? w.New.Rd, ipa ?? w.New.Ns + 0x1000, (ulong)level, desc ?? (0x8000_0000 | Desc));

    internal static readonly IReadOnlyDictionary<string, Stimulus> MapFailures = Table(
        Rd((w, rd) => Map(w, rd: rd)),
        [
            new("attr_valid: a RES0 bit of MemAttr (MemAttr[3])", w => Map(w, desc: 0x8000_0000 | 1UL << 5), ErrorInput),
            new("attr_valid: MemAttr 0b100 is reserved", w => Map(w, desc: 0x8000_0000 | 0b100UL << 2), ErrorInput),
            new("attr_valid: bits outside OA, MemAttr and S2AP", w => Map(w, desc: 0x8000_0000 | 1UL << 10), ErrorInput),
            new("level_bound: the starting level", w => Map(w, ipa: w.New.Ns, level: 0), ErrorInput),
            new("level_bound: level 4", w => Map(w, level: 4), ErrorInput),
            // ACS EAC expects RMI_ERROR_INPUT for level 1 (minimum block level 2). The digest (and ACS
            // REL0, which dropped the case) allow level 1: here the level-1 entry is a TABLE.
            new("level_bound: level 1 is allowed (digest), the entry is TABLE", w => Map(w, ipa: w.New.Ns, level: 1, desc: 0x8000_0000 & ~(L1 - 1)), ErrorRtt(1)),
            new("addr_align: the output address is not aligned to the level", w => Map(w, ipa: w.New.Ns + L2, level: 2, desc: 0x8000_1000 | Desc), ErrorInput),
            new("addr_bound: the output address is beyond 48 bits", w => Map(w, desc: 1UL << 48 | Desc), ErrorInput),
            new("ipa_align: not aligned to a level-3 entry", w => Map(w, ipa: w.New.Ns + 0x800), ErrorInput),
            new("ipa_bound: a protected IPA", w => Map(w, ipa: 0x1000), ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Map(w, ipa: Beyond), ErrorInput),
            new("rtt_walk: no level-3 table (the walk stops at 2)", w => Map(w, ipa: w.New.Ns + L2), ErrorRtt(2)),
            new("rtte_state: already ASSIGNED_NS", w => { w.Host.Ok(RmiFid.RttMapUnprotected, w.New.Rd, w.New.Ns + 0x1000, 3, 0x8000_0000); return Map(w); }, ErrorRtt(3)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> MapPriorities = Table(
    [
        new("ipa_bound beats rtt_walk", w => Map(w, ipa: L2), ErrorInput),
        new("attr_valid beats rtt_walk", w => Map(w, ipa: w.New.Ns + L2, desc: 0x8000_0000 | 0b100UL << 2), ErrorInput),
        new("level_bound beats rtte_state", w => { w.Host.Ok(RmiFid.RttMapUnprotected, w.New.Rd, w.New.Ns + 0x1000, 3, 0x8000_0000); return Map(w, level: 4); }, ErrorInput),
    ]);

    private static AcsCall Unmap(AcsWorld w, ulong? rd = null, ulong? ipa = null, long level = 3) =>
        new(RmiFid.RttUnmapUnprotected, rd ?? w.New.Rd, ipa ?? Mapped(w), (ulong)level);

    /// <summary>An ASSIGNED_NS page at the second unprotected page of <see cref="AcsWorld.New"/>.</summary>
    private static ulong Mapped(AcsWorld w) => w.Memo("mapped", () =>
    {
        w.Host.Ok(RmiFid.RttMapUnprotected, w.New.Rd, w.New.Ns + 0x1000, 3, 0x8000_0000 | Desc);
        return w.New.Ns + 0x1000;
    });

    internal static readonly IReadOnlyDictionary<string, Stimulus> UnmapFailures = Table(
        Rd((w, rd) => Unmap(w, rd: rd)),
        [
            new("level_bound: the starting level", w => Unmap(w, ipa: w.New.Ns, level: 0), ErrorInput),
            new("level_bound: level 4", w => Unmap(w, level: 4), ErrorInput),
            // As for RTT_MAP_UNPROTECTED: ACS EAC wants RMI_ERROR_INPUT for level 1, the digest lets the walk decide.
            new("level_bound: level 1 is allowed (digest), the entry is TABLE", w => Unmap(w, ipa: w.New.Ns, level: 1), ErrorRtt(1)),
            new("ipa_align: not aligned to a level-3 entry", w => Unmap(w, ipa: Mapped(w) + 0x800), ErrorInput),
            new("ipa_bound: a protected IPA", w => Unmap(w, ipa: 0x1000), ErrorInput),
            new("ipa_bound: beyond the IPA width", w => Unmap(w, ipa: Beyond), ErrorInput),
            new("rtt_walk: no level-3 table (the walk stops at 2)", w => Unmap(w, ipa: w.New.Ns + L2), ErrorRtt(2)),
            new("rtte_state: UNASSIGNED_NS", w => Unmap(w, ipa: w.New.Ns + 0x2000), ErrorRtt(3)),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> UnmapPriorities = Table(
    [
        new("level_bound beats rtt_walk", w => Unmap(w, ipa: w.New.Ns + L2, level: 4), ErrorInput),
        new("level_bound beats rtte_state", w => Unmap(w, ipa: w.New.Ns + 0x2000, level: 4), ErrorInput),
        new("ipa_bound beats rtt_walk", w => Unmap(w, ipa: L2), ErrorInput),
        new("ipa_bound beats rtte_state", w => Unmap(w, ipa: 0x2000), ErrorInput),
    ]);

    public static TheoryData<string> CreateCases => Labels(CreateFailures);
    public static TheoryData<string> CreatePriorityCases => Labels(CreatePriorities);
    public static TheoryData<string> DestroyCases => Labels(DestroyFailures);
    public static TheoryData<string> DestroyPriorityCases => Labels(DestroyPriorities);
    public static TheoryData<string> FoldCases => Labels(FoldFailures);
    public static TheoryData<string> FoldPriorityCases => Labels(FoldPriorities);
    public static TheoryData<string> ReadCases => Labels(ReadFailures);
    public static TheoryData<string> MapCases => Labels(MapFailures);
    public static TheoryData<string> MapPriorityCases => Labels(MapPriorities);
    public static TheoryData<string> UnmapCases => Labels(UnmapFailures);
    public static TheoryData<string> UnmapPriorityCases => Labels(UnmapPriorities);

    [Theory, MemberData(nameof(CreateCases))] public void Rtt_create_fails(string label) => Check(CreateFailures[label]);
    [Theory, MemberData(nameof(CreatePriorityCases))] public void Rtt_create_priority(string label) => Check(CreatePriorities[label]);
    [Theory, MemberData(nameof(DestroyCases))] public void Rtt_destroy_fails(string label) => Check(DestroyFailures[label]);
    [Theory, MemberData(nameof(DestroyPriorityCases))] public void Rtt_destroy_priority(string label) => Check(DestroyPriorities[label]);
    [Theory, MemberData(nameof(FoldCases))] public void Rtt_fold_fails(string label) => Check(FoldFailures[label]);
    [Theory, MemberData(nameof(FoldPriorityCases))] public void Rtt_fold_priority(string label) => Check(FoldPriorities[label]);
    [Theory, MemberData(nameof(MapCases))] public void Rtt_map_unprotected_fails(string label) => Check(MapFailures[label]);
    [Theory, MemberData(nameof(MapPriorityCases))] public void Rtt_map_unprotected_priority(string label) => Check(MapPriorities[label]);
    [Theory, MemberData(nameof(UnmapCases))] public void Rtt_unmap_unprotected_fails(string label) => Check(UnmapFailures[label]);
    [Theory, MemberData(nameof(UnmapPriorityCases))] public void Rtt_unmap_unprotected_priority(string label) => Check(UnmapPriorities[label]);

    [Theory, MemberData(nameof(ReadCases))]
    public void Rtt_read_entry_fails_with_all_outputs_zero(string label)
    {
        var r = Check(ReadFailures[label]);
        Assert.Equal((0UL, 0UL, 0UL, 0UL), (r.X1, r.X2, r.X3, r.X4));
    }
}
