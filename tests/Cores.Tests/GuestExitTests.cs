using VirtCca.Launcher.Composition;
using VirtCca.Cores.Platform;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>A guest on a PE: exits cost exactly their configured steps and the breakdown has every picosecond.</summary>
public sealed class GuestExitTests
{
    internal static Machine Run(PlatformConfiguration config, params IReadOnlyList<Op>[] programs)
    {
        var m = new Machine(new PlatformSettings(), config, programs, () => new TmmStandIn(Ws));
        SequentialEngine.Run(m.Model, new KernelSettings());
        return m;
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline, 1_060)]
    [InlineData(PlatformConfiguration.VirtccaSel2, 4_130)]
    [InlineData(PlatformConfiguration.VirtccaEl3, 3_260)]
    public void A_hypercall_exit_and_reentry_take_exactly_their_configured_steps(PlatformConfiguration config, long cycles)
    {
        var m = Run(config, [new Compute(26_000), new Hypercall(), new Compute(13_000)]);
        var exit = WorldSwitch.GuestExit(config, Ws);
        var entry = WorldSwitch.GuestEntryLeg(config, Ws); // the first entry, at time zero
        Assert.Equal(cycles, WorldSwitch.Total(exit));

        var pe = m.Pes[0];
        long guest = Ps(26_000) + Ps(13_000);
        long end = Ps(entry) + guest + Ps(exit);
        var l = pe.Ledger;
        Assert.Equal(end, l.Cursor); // the program ended exactly then
        Assert.Equal(l.Cursor, l.Breakdown.Total);
        Assert.Equal(guest, l[TimeCategory.Guest]);
        foreach (var c in new[] { TimeCategory.Kvm, TimeCategory.Monitor, TimeCategory.Tmm })
            Assert.Equal(Ps(entry, c) + Ps(exit, c), l[c]);
        Assert.Equal(0, l[TimeCategory.Idle]);

        Assert.Equal(1, pe.Stats.Exits[(int)Pe.ExitReason.Hypercall]);
        Assert.Equal(2, pe.Stats.Entries);
        Assert.Equal(3, m.Vcpus[0].OpsRetired);
        Assert.Equal(guest, m.Vcpus[0].ComputePicoseconds);
        Assert.Equal(config.GuestLevel(), pe.Level); // a program that ends leaves its vCPU where it was
        // Entry, exit, re-entry: S-EL2 saves NS, S, NS; EL3 without S-EL2 saves only NS, on each entry.
        Assert.Equal(config switch { PlatformConfiguration.VirtccaSel2 => 3, PlatformConfiguration.VirtccaEl3 => 2, _ => 0 }, pe.Monitor.Saves);
    }

    [Theory]
    [InlineData(true, 1_660)]   // kvm.mmio_kernel_rt
    [InlineData(false, 6_000)]  // kvm.mmio_user_rt
    public void A_baseline_mmio_exit_costs_its_kvm_round_trip(bool inKernel, long cycles)
    {
        var m = Run(PlatformConfiguration.Baseline, [new Mmio(0x0900_0000, Write: true, InKernel: inKernel)]);
        Assert.Equal(Ps(530) + Ps(cycles - 530), m.Pes[0].Ledger[TimeCategory.Kvm]);
        Assert.Equal(1, m.Pes[0].Stats.Exits[(int)Pe.ExitReason.Mmio]);
    }

    [Fact]
    public void An_rsi_call_goes_to_the_tmm_and_back_without_kvm()
    {
        var config = PlatformConfiguration.VirtccaSel2;
        var m = Run(config, [new RsiCall(0xC4000190)]); // RSI_VERSION
        var rsi = WorldSwitch.RsiCall(config, Ws);
        var entry = WorldSwitch.GuestEntryLeg(config, Ws);
        var l = m.Pes[0].Ledger;
        Assert.Equal(Ps(entry) + Ps(rsi), l.Cursor);
        Assert.Equal(Ps(entry, TimeCategory.Tmm) + Ps(rsi, TimeCategory.Tmm), l[TimeCategory.Tmm]);
        Assert.Equal(0, l[TimeCategory.Kvm]);
        Assert.Equal(1, m.Pes[0].Stats.RsiCalls);
        Assert.Equal(0, m.Pes[0].Stats.ExitsTotal);
    }

    [Fact]
    public void A_baseline_guest_smc_is_answered_by_kvm_with_smc_unknown()
    {
        var m = Run(PlatformConfiguration.Baseline, [new RsiCall(0xC4000190)]);
        Assert.Equal(1, m.Pes[0].Stats.Exits[(int)Pe.ExitReason.Smc]);
        Assert.Equal(ulong.MaxValue, m.Vcpus[0].Context.X[0]);
    }

    [Fact]
    public void Tlb_misses_walk_one_stage_under_virtcca_el3_and_two_otherwise()
    {
        IReadOnlyList<Op> work = [new Compute(1_000_000, TlbMissesPerThousandCycles: 2)];
        long Guest(PlatformConfiguration c) => Run(c, work).Pes[0].Ledger[TimeCategory.Guest];
        var walk = new PlatformSettings().Walk;
        Assert.Equal(Ps(1_000_000 + 2_000 * Translation.TranslationCost.MissCycles(Translation.TranslationRegime.TwoStage, walk)), Guest(PlatformConfiguration.Baseline));
        Assert.Equal(Guest(PlatformConfiguration.Baseline), Guest(PlatformConfiguration.VirtccaSel2));
        Assert.Equal(Ps(1_000_000 + 2_000 * Translation.TranslationCost.MissCycles(Translation.TranslationRegime.OneStage, walk)), Guest(PlatformConfiguration.VirtccaEl3));
    }
}
