namespace VirtCca.Cores.Translation;

/// <summary>How guest addresses are translated, which decides what a TLB miss walks (ARCHITECTURE §2).</summary>
public enum TranslationRegime
{
    /// <summary>Bare metal: the program's own stage-1 tables, nothing under them.</summary>
    Native,
    /// <summary>Stage 1 only: virtcca-el3's direct shadow mapping (the TMM owns and checks the realm's tables; no stage 2 exists).</summary>
    OneStage,
    /// <summary>Stage 1 + stage 2: a normal VM under KVM, or a realm under the S-EL2 TMM.</summary>
    TwoStage,
}

/// <summary>
/// The size of the leaf a stage maps with, with the 4 KiB granule: a 2 MiB block ends the walk one level
/// early, a 1 GiB block two levels early.
/// </summary>
public enum Block { Page4K, Block2M, Block1G }

public static class Blocks
{
    public static int LevelsSaved(this Block b) => b switch { Block.Block2M => 1, Block.Block1G => 2, _ => 0 };

    public static string Name(this Block b) => b switch { Block.Block2M => "2 MiB", Block.Block1G => "1 GiB", _ => "4 KiB" };

    /// <summary>Parses "4k", "4 KiB", "2m", "2 MiB", "1g", "1 GiB" (case and spaces ignored).</summary>
    public static Block Parse(string text) => text.Replace(" ", "").ToLowerInvariant() switch
    {
        "4k" or "4kib" or "4kb" => Block.Page4K,
        "2m" or "2mib" or "2mb" => Block.Block2M,
        "1g" or "1gib" or "1gb" => Block.Block1G,
        _ => throw new ArgumentException($"'{text}' is not a block size: 4 KiB, 2 MiB or 1 GiB"),
    };
}

/// <summary>The leaf sizes of a guest's translation: its stage-1 pages (the guest OS's choice) and the stage-2 blocks under them (the hypervisor's or the TMM's).</summary>
public readonly record struct WalkShape(Block Stage1, Block Stage2)
{
    public static readonly WalkShape Pages = new(Block.Page4K, Block.Page4K);
}

/// <summary>
/// Page-walk parameters (HOCON `platform.memory`; sources in HOCON/platforms/SOURCES.md). Rates are per
/// mille so that the cost of a walk is an exact rational number, the same on every host.
/// </summary>
public sealed record WalkCosts
{
    /// <summary>Stage-1 levels with 4 KiB pages: 4 for a 48-bit VA (levels 0-3).</summary>
    public int Stage1Levels { get; init; } = 4;
    /// <summary>Stage-2 levels with 4 KiB pages: 3 for a 40-bit IPA (starting at level 1 with concatenated tables).</summary>
    public int Stage2Levels { get; init; } = 3;
    public long ReferenceHitCycles { get; init; } = 20;   // mmu.walk_ref_hit (assumed)
    public long ReferenceMissCycles { get; init; } = 260; // mmu.walk_ref_miss (assumed, 100 ns)
    /// <summary>Share of the walk's memory references served by the data caches, per mille.</summary>
    public int ReferenceHitPerMille { get; init; } = 900;
    /// <summary>Walk cache: share of stage-1 upper-level (non-leaf) entries found in it, per mille — the walk skips that reference and its stage-2 translation.</summary>
    public int Stage1UpperHitPerMille { get; init; } = 950;
    /// <summary>Share of stage-2 translations of guest table addresses (IPA → PA of a stage-1 table) found cached, per mille.</summary>
    public int Stage2TableHitPerMille { get; init; } = 950;
    /// <summary>Walk cache: share of stage-2 upper-level entries found in it, per mille.</summary>
    public int Stage2UpperHitPerMille { get; init; } = 950;

    /// <summary>One setting that is out of range, named as HOCON spells it, or null.</summary>
    public string? Problem()
    {
        foreach (var (name, v) in new[] { ("walk-ref-hit-per-mille", ReferenceHitPerMille), ("stage1-upper-hit-per-mille", Stage1UpperHitPerMille),
                     ("stage2-table-hit-per-mille", Stage2TableHitPerMille), ("stage2-upper-hit-per-mille", Stage2UpperHitPerMille) })
            if (v is < 0 or > 1000) return $"{name}: {v} is outside 0..1000";
        if (Stage1Levels is < 3 or > 4) return $"stage1-levels: {Stage1Levels} is not 3 or 4";
        if (Stage2Levels is < 3 or > 4) return $"stage2-levels: {Stage2Levels} is not 3 or 4";
        if (ReferenceHitCycles < 0 || ReferenceMissCycles < 0) return "walk-ref-hit and walk-ref-miss must not be negative";
        return null;
    }
}

/// <summary>
/// What a TLB miss costs. A miss walks the stage-1 table: its upper (non-leaf) levels are skipped when the
/// walk cache holds them, the leaf is always read. Under a stage 2 every stage-1 table the walk reads has
/// an intermediate physical address that must itself be translated (unless that translation is cached),
/// and so has the data's address at the end — each a stage-2 walk with its own cached upper levels. With
/// nothing cached, n stage-1 and m stage-2 levels make (n+1)(m+1) − 1 references (24 for 4 × 4).
/// Every reference that is made costs the data caches' hit or DRAM share of it.
/// </summary>
public static class TranslationCost
{
    /// <summary>Expected memory references of one miss (exact: the rates are per mille).</summary>
    public static decimal References(TranslationRegime regime, WalkShape shape, WalkCosts c)
    {
        int n = c.Stage1Levels - shape.Stage1.LevelsSaved();
        decimal stage1 = (n - 1) * Miss(c.Stage1UpperHitPerMille) + 1;
        if (regime != TranslationRegime.TwoStage) return stage1;
        int m = c.Stage2Levels - shape.Stage2.LevelsSaved();
        decimal stage2Walk = (m - 1) * Miss(c.Stage2UpperHitPerMille) + 1;
        return stage1 + stage1 * Miss(c.Stage2TableHitPerMille) * stage2Walk + stage2Walk;
    }

    /// <summary>Expected cycles of one reference: hit share × hit cost + miss share × DRAM cost.</summary>
    public static decimal ReferenceCycles(WalkCosts c) =>
        (c.ReferenceHitPerMille * (decimal)c.ReferenceHitCycles + (1000 - c.ReferenceHitPerMille) * (decimal)c.ReferenceMissCycles) / 1000;

    /// <summary>Expected cycles of one TLB miss.</summary>
    public static decimal MissCycles(TranslationRegime regime, WalkShape shape, WalkCosts c) => References(regime, shape, c) * ReferenceCycles(c);

    /// <summary>
    /// Cycles to compute <paramref name="cycles"/> of work that takes <paramref name="missesPerThousandCycles"/>
    /// TLB misses per 1,000 cycles: the work plus the expected walks, rounded to the nearest cycle (halves up).
    /// </summary>
    public static long Compute(long cycles, decimal missesPerThousandCycles, TranslationRegime regime, WalkShape shape, WalkCosts c)
    {
        if (cycles < 0 || missesPerThousandCycles < 0) throw new ArgumentOutOfRangeException(nameof(cycles), "work and miss rate must not be negative");
        if (missesPerThousandCycles == 0) return cycles;
        decimal walks = cycles * missesPerThousandCycles / 1000 * MissCycles(regime, shape, c);
        return cycles + (long)Math.Floor(walks + 0.5m);
    }

    private static decimal Miss(int hitPerMille) => (1000 - hitPerMille) / 1000m;
}
