using VirtCca.Cores.Translation;

namespace VirtCca.Cores.Tests;

public sealed class TranslationCostTests
{
    private static readonly WalkCosts Costs = new();

    [Fact]
    public void A_miss_walks_24_references_with_two_stages_and_4_with_one()
    {
        // 90 % hits at 20 cycles, 10 % at 260: 44 cycles per reference on average.
        Assert.Equal(24 * 44, TranslationCost.MissCycles(TranslationRegime.TwoStage, Costs));
        Assert.Equal(4 * 44, TranslationCost.MissCycles(TranslationRegime.OneStage, Costs));
    }

    [Fact]
    public void Computing_adds_the_walks_of_its_misses_so_one_stage_is_cheaper()
    {
        // 1,000,000 cycles at 2 misses per 1,000 cycles = 2,000 misses.
        Assert.Equal(1_000_000 + 2_000 * 1_056, TranslationCost.Compute(1_000_000, 2, TranslationRegime.TwoStage, Costs));
        Assert.Equal(1_000_000 + 2_000 * 176, TranslationCost.Compute(1_000_000, 2, TranslationRegime.OneStage, Costs));
        Assert.Equal(1_000_000, TranslationCost.Compute(1_000_000, 0, TranslationRegime.TwoStage, Costs));
    }

    [Fact]
    public void The_parameters_come_from_configuration()
    {
        var allMisses = Costs with { ReferenceHitPerMille = 0 };
        Assert.Equal(24 * 260, TranslationCost.MissCycles(TranslationRegime.TwoStage, allMisses));
        Assert.Throws<ArgumentOutOfRangeException>(() => TranslationCost.Compute(-1, 1, TranslationRegime.OneStage, Costs));
    }
}
