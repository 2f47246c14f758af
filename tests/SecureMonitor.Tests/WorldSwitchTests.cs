using VirtCca.Interconnect;

namespace VirtCca.SecureMonitor.Tests;

public sealed class SmcRouterTests
{
    [Theory]
    [InlineData(0xC4000150UL, SmcTarget.Tmm)]            // RMI_VERSION
    [InlineData(0xC4010158UL, SmcTarget.Tmm)]            // REALM_CREATE with the SVE hint bit
    [InlineData(0xC4000199UL, SmcTarget.Tmm)]            // RSI_HOST_CALL
    [InlineData(0x84000000UL, SmcTarget.PsciFirmware)]   // PSCI_VERSION
    [InlineData(0xC4000003UL, SmcTarget.PsciFirmware)]   // CPU_ON (SMC64)
    [InlineData(0xC40001B0UL, SmcTarget.Unknown)]        // RMM <-> EL3 interface: not host visible
    [InlineData(0x82000000UL, SmcTarget.Unknown)]        // SiP service
    public void Routes_by_smccc_range(ulong fid, SmcTarget target) => Assert.Equal(target, SmcRouter.Route(fid));
}

public sealed class WorldSwitchTests
{
    private static readonly WorldSwitchCosts Costs = new();

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2, 2_370)] // costs.md tmi.call_rt_null = 2 x 1035 + 300
    [InlineData(PlatformConfiguration.VirtccaEl3, 1_500)]  // 2 x 600 + 300
    public void An_rmi_round_trip_costs_exactly_its_configured_steps(PlatformConfiguration config, long cycles)
    {
        var steps = WorldSwitch.RmiCall(config, Costs);
        Assert.Equal(cycles, WorldSwitch.Total(steps));
        Assert.Equal(Costs.TmmCommandBase, steps.Where(s => s.Category == TimeCategory.Tmm).Sum(s => s.Cycles));
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline, 1_060)]    // kvm.hvc_rt
    [InlineData(PlatformConfiguration.VirtccaSel2, 4_130)] // cvm.hvc_rt = 1060 + 2 x 1035 + 500 + 500
    [InlineData(PlatformConfiguration.VirtccaEl3, 3_260)]  // 1060 + 2 x 600 + 500 + 500
    public void A_guest_exit_and_reentry_costs_exactly_its_configured_steps(PlatformConfiguration config, long cycles) =>
        Assert.Equal(cycles, WorldSwitch.Total(WorldSwitch.GuestExit(config, Costs)));

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void The_breakdown_accounts_for_every_picosecond(PlatformConfiguration config)
    {
        var b = new TimeBreakdown();
        var steps = WorldSwitch.GuestExit(config, Costs);
        long charged = b.Charge(steps, 2_600_000_000);
        Assert.Equal(charged, b.Total);
        Assert.Equal(steps.Sum(s => SimTime.FromCycles(s.Cycles, 2_600_000_000).Picoseconds), charged);
        Assert.Equal(b.Total, Enum.GetValues<TimeCategory>().Sum(c => b[c]));
        if (config == PlatformConfiguration.Baseline) Assert.Equal(0, b[TimeCategory.Monitor] + b[TimeCategory.Tmm]);
        else Assert.True(b[TimeCategory.Monitor] > 0 && b[TimeCategory.Tmm] > 0 && b[TimeCategory.Kvm] > 0);
    }

    [Fact]
    public void The_baseline_has_no_rmi()
    {
        Assert.Throws<InvalidOperationException>(() => WorldSwitch.RmiCall(PlatformConfiguration.Baseline, Costs));
    }
}
