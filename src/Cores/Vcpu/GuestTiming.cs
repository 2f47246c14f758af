using VirtCca.Cores.Translation;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Vcpu;

/// <summary>
/// What guest work costs on its PE: the clock, the translation regime of the configuration and the leaf
/// sizes of each stage (they decide what a TLB miss costs), the walk parameters, the guest's interrupt
/// handler, and what its page-table updates cost.
/// </summary>
public sealed record GuestTiming(long FrequencyHz, TranslationRegime Regime, WalkCosts Walk, long IrqHandlerCycles)
{
    public WalkShape Shape { get; init; } = WalkShape.Pages;
    public PageTableCosts PageTables { get; init; } = new();

    public long ComputePicoseconds(Compute c) =>
        SimTime.FromCycles(TranslationCost.Compute(c.Cycles, c.TlbMissesPerThousandCycles, Regime, Shape, Walk), FrequencyHz).Picoseconds;

    public long IrqHandlerPicoseconds => SimTime.FromCycles(IrqHandlerCycles, FrequencyHz).Picoseconds;

    /// <summary>The steps of a page-table update at the guest's level.</summary>
    public IReadOnlyList<Step> MapSteps(MapPages op, PeLevel guestLevel) => PageTables.Steps(op, Regime, guestLevel);
}

/// <summary>What the guest does next, as its PE sees it.</summary>
public enum ActivityKind { Compute, Operation, Halted }

/// <summary>Compute for <paramref name="Picoseconds"/> (interruptible), or perform <paramref name="Op"/>, or nothing more (halted).</summary>
public readonly record struct GuestActivity(ActivityKind Kind, long Picoseconds = 0, Op? Op = null);
