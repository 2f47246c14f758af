using VirtCca.Cores.Translation;

namespace VirtCca.Cores.Tests;

/// <summary>The walk model against walks counted by hand (defaults: 4 stage-1 and 3 stage-2 levels, walk caches at 95 %, 90 % of references in the caches at 20 cycles and 10 % in DRAM at 260: 44 cycles a reference).</summary>
public sealed class TranslationCostTests
{
    private static readonly WalkCosts Costs = new();
    private static readonly WalkCosts Uncached = Costs with { Stage1UpperHitPerMille = 0, Stage2TableHitPerMille = 0, Stage2UpperHitPerMille = 0 };

    [Fact]
    public void With_nothing_cached_a_two_dimensional_walk_makes_n_plus_1_times_m_plus_1_minus_1_references()
    {
        Assert.Equal(19m, TranslationCost.References(TranslationRegime.TwoStage, WalkShape.Pages, Uncached));                    // 4 x 3 levels
        Assert.Equal(24m, TranslationCost.References(TranslationRegime.TwoStage, WalkShape.Pages, Uncached with { Stage2Levels = 4 }));
        Assert.Equal(4m, TranslationCost.References(TranslationRegime.Native, WalkShape.Pages, Uncached));
        Assert.Equal(4m, TranslationCost.References(TranslationRegime.OneStage, WalkShape.Pages, Uncached));
        // 2 MiB stage-1 pages on 1 GiB stage-2 blocks: 3 x 1 levels, (3+1)(1+1) - 1 = 7.
        Assert.Equal(7m, TranslationCost.References(TranslationRegime.TwoStage, new WalkShape(Block.Block2M, Block.Block1G), Uncached));
        Assert.Equal(19 * 44m, TranslationCost.MissCycles(TranslationRegime.TwoStage, WalkShape.Pages, Uncached));
    }

    [Fact]
    public void Walk_caches_skip_upper_levels_and_the_stage_2_walks_of_table_addresses()
    {
        // Stage 1: 3 upper levels missing the cache 5 % of the time, plus the leaf: 1.15 references.
        Assert.Equal(1.15m, TranslationCost.References(TranslationRegime.Native, WalkShape.Pages, Costs));
        Assert.Equal(50.6m, TranslationCost.MissCycles(TranslationRegime.Native, WalkShape.Pages, Costs));
        // virtcca-el3's shadow table is walked like the native one.
        Assert.Equal(50.6m, TranslationCost.MissCycles(TranslationRegime.OneStage, WalkShape.Pages, Costs));
        // Two stages, 4 KiB both: a stage-2 walk is 2 x 0.05 + 1 = 1.1; 1.15 + 1.15 x 0.05 x 1.1 + 1.1 = 2.31325.
        Assert.Equal(2.31325m, TranslationCost.References(TranslationRegime.TwoStage, WalkShape.Pages, Costs));
        // With 2 MiB stage-2 blocks a stage-2 walk is 1 x 0.05 + 1 = 1.05: 1.15 + 0.060375 + 1.05 = 2.260375, x 44 = 99.4565.
        var blocks = new WalkShape(Block.Page4K, Block.Block2M);
        Assert.Equal(2.260375m, TranslationCost.References(TranslationRegime.TwoStage, blocks, Costs));
        Assert.Equal(99.4565m, TranslationCost.MissCycles(TranslationRegime.TwoStage, blocks, Costs));
    }

    [Fact]
    public void Computing_adds_the_expected_walks_rounded_to_the_nearest_cycle()
    {
        var blocks = new WalkShape(Block.Page4K, Block.Block2M);
        Assert.Equal(1_000_000 + 198_913, TranslationCost.Compute(1_000_000, 2, TranslationRegime.TwoStage, blocks, Costs)); // 2,000 x 99.4565
        Assert.Equal(1_000_000 + 25_300, TranslationCost.Compute(1_000_000, 0.5m, TranslationRegime.Native, blocks, Costs)); // 500 x 50.6
        Assert.Equal(1_001, TranslationCost.Compute(1_000, 0.01m, TranslationRegime.Native, blocks, Costs));                 // 0.506 rounds up
        Assert.Equal(1_000_000, TranslationCost.Compute(1_000_000, 0, TranslationRegime.TwoStage, blocks, Costs));
        Assert.Throws<ArgumentOutOfRangeException>(() => TranslationCost.Compute(-1, 1, TranslationRegime.OneStage, blocks, Costs));
    }

    [Fact]
    public void Bad_parameters_are_named()
    {
        Assert.Equal("stage2-table-hit-per-mille: 1001 is outside 0..1000", (Costs with { Stage2TableHitPerMille = 1001 }).Problem());
        Assert.Null(Costs.Problem());
        Assert.Equal(Block.Block2M, Blocks.Parse("2 MiB"));
        Assert.Throws<ArgumentException>(() => Blocks.Parse("3m"));
    }
}
