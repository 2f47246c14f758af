using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>A guest on a PE: exits cost exactly their configured steps and the breakdown has every picosecond.</summary>
public sealed class GuestExitTests
{
    private static readonly WorldSwitchCosts Ws = new();
    private static long Ps(IEnumerable<Step> steps) => steps.Sum(s => s.Picoseconds(Hz));
    private static long Ps(IEnumerable<Step> steps, TimeCategory c) => steps.Where(s => s.Category == c).Sum(s => s.Picoseconds(Hz));

    [Theory]
    [InlineData(PlatformConfiguration.Baseline, 1_060)]
    [InlineData(PlatformConfiguration.VirtccaSel2, 4_130)]
    [InlineData(PlatformConfiguration.VirtccaEl3, 3_260)]
    public void A_hypercall_exit_and_reentry_take_exactly_their_configured_steps(PlatformConfiguration config, long cycles)
    {
        var m = Run(config, [new Compute(26_000), new Hypercall(), new Compute(13_000)]);
        var exit = WorldSwitch.GuestExit(config, Ws);
        var entry = WorldSwitch.GuestEntryLeg(config, Ws); // the first entry
        Assert.Equal(cycles, WorldSwitch.Total(exit));

        var pe = m.Pes[0];
        long start = m.Start(), guest = Machines.Ps(26_000) + Machines.Ps(13_000);
        long end = start + Ps(entry) + guest + Ps(exit);
        var l = pe.Ledger;
        Assert.Equal(end, l.Cursor); // the program ended exactly then
        Assert.Equal(l.Cursor, l.Breakdown.Total);
        Assert.Equal(guest, l[TimeCategory.Guest]);
        // KVM's and the TMM's time beyond the realm's creation (which is creation phase) is exactly the legs'.
        long creation = l.PhaseBusy(Cores.Host.HostPhase.Creation);
        long kvm = l[TimeCategory.Kvm], mon = l[TimeCategory.Monitor], tmm = l[TimeCategory.Tmm];
        Assert.Equal(Ps(entry) + Ps(exit), kvm + mon + tmm - creation);
        Assert.Equal(Ps(entry, TimeCategory.Kvm) + Ps(exit, TimeCategory.Kvm), l.OfGuest(0)[TimeCategory.Kvm] - (config.HasTmm() ? 0 : 0));
        Assert.Equal(1, m.Exits(0, config.HasTmm() ? ExitKind.HostCall : ExitKind.Hypercall));
        Assert.Equal(2, m.Kvm(0).Entries);
        Assert.Equal(3, m.Kvm(0).Vcpu.OpsRetired);
        Assert.Equal(guest, m.Kvm(0).Vcpu.ComputePicoseconds);
    }

    [Theory]
    [InlineData(true, 1_660)]   // kvm.mmio_kernel_rt
    [InlineData(false, 6_000)]  // kvm.mmio_user_rt
    public void A_baseline_mmio_exit_costs_its_kvm_round_trip(bool inKernel, long cycles)
    {
        var m = Run(PlatformConfiguration.Baseline, [new Mmio(0x0900_0000, Write: true, InKernel: inKernel)]);
        Assert.Equal(Machines.Ps(530) + Machines.Ps(cycles - 530), m.Pes[0].Ledger[TimeCategory.Kvm]);
        Assert.Equal(1, m.Exits(0, ExitKind.Mmio));
        Assert.Equal(1, m.Kvm(0).Vcpu.OpsRetired);
    }

    [Fact]
    public void An_rsi_call_goes_to_the_tmm_and_back_without_kvm()
    {
        var config = PlatformConfiguration.VirtccaSel2;
        var m = Run(config, [new RsiCall(0xC4000190, 0x10000)]); // RSI_VERSION
        var rsi = WorldSwitch.RsiCall(config, Ws);
        var entry = WorldSwitch.GuestEntryLeg(config, Ws);
        var l = m.Pes[0].Ledger;
        Assert.Equal(m.Start() + Ps(entry) + Ps(rsi), l.Cursor);
        Assert.Equal(Ps(entry, TimeCategory.Tmm) + Ps(rsi, TimeCategory.Tmm), l.OfGuest(0)[TimeCategory.Tmm]);
        Assert.Equal(0, l.OfGuest(0)[TimeCategory.Kvm]);
        Assert.Equal(1, m.Pes[0].Stats.RsiCalls);
        Assert.Equal(0, m.Kvm(0).ExitsTotal);
    }

    [Fact]
    public void A_baseline_guest_smc_is_answered_by_kvm_with_smc_unknown()
    {
        var m = Run(PlatformConfiguration.Baseline, [new RsiCall(0xC4000190)]);
        Assert.Equal(1, m.Exits(0, ExitKind.Smc));
        Assert.Equal(ulong.MaxValue, m.Kvm(0).Vcpu.Context.X[0]);
    }

    [Fact]
    public void Tlb_misses_walk_one_stage_under_virtcca_el3_and_native_and_two_otherwise()
    {
        IReadOnlyList<Op> work = [new Compute(1_000_000, TlbMissesPerThousandCycles: 2)];
        long Guest(PlatformConfiguration c) => Run(c, work).Pes[0].Ledger[TimeCategory.Guest];
        // 2,000 misses: two stages on 2 MiB stage-2 blocks walk 2.260375 references of 44 cycles, one stage 1.15 (TranslationCostTests).
        Assert.Equal(Machines.Ps(1_000_000 + 198_913), Guest(PlatformConfiguration.Baseline));
        Assert.Equal(Guest(PlatformConfiguration.Baseline), Guest(PlatformConfiguration.VirtccaSel2));
        Assert.Equal(Machines.Ps(1_000_000 + 101_200), Guest(PlatformConfiguration.VirtccaEl3));
        Assert.Equal(Machines.Ps(1_000_000 + 101_200), Guest(PlatformConfiguration.Native));
    }
}
