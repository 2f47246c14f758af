using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Translation;

/// <summary>
/// What a guest's page-table update costs (HOCON `platform.guest.pte-write`, `guest.tlbi`,
/// `tmm.shadow-pte`; sources in HOCON/platforms/SOURCES.md). The guest kernel's own part is paid in every
/// configuration; under virtcca-el3's shadow mapping the realm cannot write its translation tables itself
/// — the TMM owns them, since without S-EL2 nothing under stage 1 could stop a bad mapping — so each
/// batch is an SMC to the TMM in EL3, which checks every entry (the page must be the realm's) before
/// writing it, and does the TLB invalidation of an unmap itself.
/// </summary>
public sealed record PageTableCosts
{
    /// <summary>The guest kernel computes and writes one stage-1 entry.</summary>
    public long GuestPteWriteCycles { get; init; } = 30;
    /// <summary>One broadcast TLB invalidation by address (TLBI VAE1IS) with its DSB, per unmapped page.</summary>
    public long TlbiCycles { get; init; } = 500;
    /// <summary>The realm's trap into the TMM in EL3 and the return (virtcca-el3: the RSI path).</summary>
    public long ShadowTrapCycles { get; init; } = 830;
    /// <summary>The TMM checks one entry (the target granule belongs to the realm) and writes it.</summary>
    public long ShadowEntryCycles { get; init; } = 150;

    /// <summary>
    /// The steps of <paramref name="op"/> in <paramref name="regime"/>, run at <paramref name="guestLevel"/>
    /// (the guest's work) and EL3 (the TMM's): only a shadow-mapped guest pays the TMM.
    /// </summary>
    public IReadOnlyList<Step> Steps(MapPages op, TranslationRegime regime, PeLevel guestLevel)
    {
        if (op.Pages < 0 || op.Batch < 1) throw new ArgumentOutOfRangeException(nameof(op), $"{op}: pages must not be negative and a batch holds at least one entry");
        long n = op.Pages;
        var steps = new List<Step> { new($"guest kernel writes {n} stage-1 entries", n * GuestPteWriteCycles, TimeCategory.Guest, guestLevel) };
        if (regime == TranslationRegime.OneStage)
        {
            long calls = (n + op.Batch - 1) / op.Batch;
            steps.Add(new($"{calls} SMCs to the TMM for the shadow tables", calls * ShadowTrapCycles, TimeCategory.Tmm, PeLevel.El3));
            steps.Add(new($"TMM checks and writes {n} shadow entries", n * ShadowEntryCycles, TimeCategory.Tmm, PeLevel.El3));
            if (op.Unmap) steps.Add(new($"TMM invalidates {n} TLB entries", n * TlbiCycles, TimeCategory.Tmm, PeLevel.El3));
        }
        else if (op.Unmap) steps.Add(new($"guest invalidates {n} TLB entries", n * TlbiCycles, TimeCategory.Guest, guestLevel));
        return steps;
    }

    /// <summary>Cycles the TMM spends on <paramref name="op"/> (zero unless shadow-mapped).</summary>
    public long TmmCycles(MapPages op, TranslationRegime regime) =>
        Steps(op, regime, PeLevel.NsEl1).Where(s => s.Category == TimeCategory.Tmm).Sum(s => s.Cycles);
}
