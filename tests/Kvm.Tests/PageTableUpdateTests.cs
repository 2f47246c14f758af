namespace VirtCca.Kvm.Tests;

/// <summary>
/// virtcca-el3's shadow mapping has its price where it arises: a guest that maps memory pays the TMM for
/// every entry (and an SMC per batch), one that does not pays nothing; under a stage 2 (baseline,
/// virtcca-sel2) and on bare metal the guest writes its own entries. Defaults: a realm SMC to the TMM
/// in EL3 and back 530 + 300 cycles, 150 a shadow entry, 30 a guest entry, 500 a TLB invalidation.
/// </summary>
public sealed class PageTableUpdateTests
{
    private static readonly IReadOnlyList<Op> Plain = [new Compute(26_000), new Hypercall()];

    private static (long Guest, long Tmm) Times(PlatformConfiguration c, params Op[] before)
    {
        var m = Machines.Run(c, [.. before, .. Plain]);
        return (m.Pes.Sum(p => p.Ledger[TimeCategory.Guest]), m.Pes.Sum(p => p.Ledger[TimeCategory.Tmm]));
    }

    [Fact]
    public void Under_virtcca_el3_mapping_pays_the_tmm_per_batch_and_per_entry()
    {
        var none = Times(PlatformConfiguration.VirtccaEl3);
        var map = Times(PlatformConfiguration.VirtccaEl3, new MapPages(10, Batch: 4));
        // ceil(10 / 4) = 3 SMCs x 830 cycles + 10 entries x 150 = 3,990 cycles of TMM; the guest's 10 x 30.
        Assert.Equal(Machines.Ps(3 * 830 + 10 * 150), map.Tmm - none.Tmm);
        Assert.Equal(Machines.Ps(10 * 30), map.Guest - none.Guest);
        var unmap = Times(PlatformConfiguration.VirtccaEl3, new MapPages(10, Unmap: true, Batch: 4));
        Assert.Equal(Machines.Ps(3 * 830 + 10 * 150 + 10 * 500), unmap.Tmm - none.Tmm); // and the TLB invalidations
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.Native)]
    public void Under_a_stage_2_or_on_bare_metal_the_guest_writes_its_own_entries(PlatformConfiguration c)
    {
        var none = Times(c);
        var unmap = Times(c, new MapPages(10, Unmap: true, Batch: 4));
        Assert.Equal(0, unmap.Tmm - none.Tmm);
        Assert.Equal(Machines.Ps(10 * 30 + 10 * 500), unmap.Guest - none.Guest);
    }

    [Fact]
    public void A_workload_that_maps_nothing_pays_no_shadow_cost()
    {
        var m = Machines.Run(PlatformConfiguration.VirtccaEl3, Plain);
        var sel2 = Machines.Run(PlatformConfiguration.VirtccaSel2, Plain);
        // The realm's guest time is its compute alone in both (no TLB misses asked for): nothing extra under the shadow mapping.
        Assert.Equal(sel2.Pes.Sum(p => p.Ledger[TimeCategory.Guest]), m.Pes.Sum(p => p.Ledger[TimeCategory.Guest]));
        Assert.Equal(Machines.Ps(26_000), m.Pes.Sum(p => p.Ledger.OfGuest(0)[TimeCategory.Guest]));
    }
}
