namespace VirtCca.Cores.Translation;

/// <summary>How guest addresses are translated, which decides what a TLB miss costs (ARCHITECTURE §2).</summary>
public enum TranslationRegime
{
    /// <summary>Stage 1 only: virtcca-el3's direct shadow mapping (the assumption the README states).</summary>
    OneStage,
    /// <summary>Stage 1 + stage 2: a normal VM under KVM, or a realm under the S-EL2 TMM.</summary>
    TwoStage,
}

/// <summary>Page-walk parameters in cycles (HOCON `platform.memory`; costs.md §8.3 mmu.* rows).</summary>
public sealed record WalkCosts
{
    /// <summary>Memory references of a two-dimensional walk: 4 x 4 + 2 x 4 with 4-level tables (costs.md §4.4).</summary>
    public int NestedReferences { get; init; } = 24;
    /// <summary>References of a stage-1-only 4-level walk.</summary>
    public int OneStageReferences { get; init; } = 4;
    public long ReferenceHitCycles { get; init; } = 20;   // mmu.walk_ref_hit (assumed)
    public long ReferenceMissCycles { get; init; } = 260; // mmu.walk_ref_miss (assumed, 100 ns)
    /// <summary>Fraction of walk references served by caches, in per mille (deterministic integer arithmetic).</summary>
    public int ReferenceHitPerMille { get; init; } = 900; // assumed
}

/// <summary>What computing costs once TLB misses are counted: each miss walks the regime's references.</summary>
public static class TranslationCost
{
    /// <summary>Cycles of one TLB miss: references x (hit share x hit cost + miss share x miss cost), rounded down.</summary>
    public static long MissCycles(TranslationRegime regime, WalkCosts c)
    {
        int refs = regime == TranslationRegime.TwoStage ? c.NestedReferences : c.OneStageReferences;
        return refs * (c.ReferenceHitPerMille * c.ReferenceHitCycles + (1000 - c.ReferenceHitPerMille) * c.ReferenceMissCycles) / 1000;
    }

    /// <summary>
    /// Cycles to compute <paramref name="cycles"/> with <paramref name="missesPerThousandCycles"/> TLB
    /// misses per thousand cycles of work (misses counted in whole numbers, rounded down).
    /// </summary>
    public static long Compute(long cycles, int missesPerThousandCycles, TranslationRegime regime, WalkCosts c)
    {
        if (cycles < 0 || missesPerThousandCycles < 0) throw new ArgumentOutOfRangeException(nameof(cycles), "work and miss rate must not be negative");
        long misses = cycles * missesPerThousandCycles / 1000;
        return cycles + misses * MissCycles(regime, c);
    }
}
