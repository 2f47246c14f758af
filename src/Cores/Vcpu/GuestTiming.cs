using VirtCca.Cores.Translation;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;

namespace VirtCca.Cores.Vcpu;

/// <summary>
/// What guest work costs on its PE: the clock, the translation regime of the configuration (it
/// decides what a TLB miss costs), the walk parameters, and the guest's interrupt handler.
/// </summary>
public sealed record GuestTiming(long FrequencyHz, TranslationRegime Regime, WalkCosts Walk, long IrqHandlerCycles)
{
    public long ComputePicoseconds(Compute c) =>
        SimTime.FromCycles(TranslationCost.Compute(c.Cycles, c.TlbMissesPerThousandCycles, Regime, Walk), FrequencyHz).Picoseconds;

    public long IrqHandlerPicoseconds => SimTime.FromCycles(IrqHandlerCycles, FrequencyHz).Picoseconds;
}

/// <summary>What the guest does next, as its PE sees it.</summary>
public enum ActivityKind { Compute, Operation, Halted }

/// <summary>Compute for <paramref name="Picoseconds"/> (interruptible), or perform <paramref name="Op"/>, or nothing more (halted).</summary>
public readonly record struct GuestActivity(ActivityKind Kind, long Picoseconds = 0, Op? Op = null);
