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
    [InlineData(0xC400018FUL, SmcTarget.Tmm)]            // last RMI function id
    [InlineData(0xC400014FUL, SmcTarget.Unknown)]        // just below the RMI range
    [InlineData(0x8400001FUL, SmcTarget.PsciFirmware)]   // last PSCI SMC32 id
    [InlineData(0x84000020UL, SmcTarget.Unknown)]
    [InlineData(0xC400001FUL, SmcTarget.PsciFirmware)]   // last PSCI SMC64 id
    [InlineData(0xC4000020UL, SmcTarget.Unknown)]
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
        Assert.Throws<InvalidOperationException>(() => WorldSwitch.RsiCall(PlatformConfiguration.Baseline, Costs));
        Assert.Empty(WorldSwitch.GuestEntryLeg(PlatformConfiguration.Baseline, Costs));
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void Every_realm_flow_enters_the_secure_world_once_and_leaves_it_once(PlatformConfiguration config)
    {
        var exit = WorldSwitch.GuestExit(config, Costs);
        Assert.Equal([WorldChange.ToNormal, WorldChange.ToSecure], exit.Where(s => s.Switch != WorldChange.None).Select(s => s.Switch));
        var rmi = WorldSwitch.RmiCall(config, Costs);
        Assert.Equal([WorldChange.ToSecure, WorldChange.ToNormal], rmi.Where(s => s.Switch != WorldChange.None).Select(s => s.Switch));
        Assert.Equal(PeLevel.NsEl2, rmi[^1].Level);
        // The TMM's own work is what the TmmActor charges; nothing else is.
        Assert.All(rmi.Concat(exit), s => Assert.Equal(s.ByTmm, s.Name.StartsWith("TMM ", StringComparison.Ordinal)));
        var tmmLevel = config == PlatformConfiguration.VirtccaSel2 ? PeLevel.SEl2 : PeLevel.El3;
        Assert.All(rmi.Where(s => s.ByTmm), s => Assert.Equal(tmmLevel, s.Level));
    }

    [Fact]
    public void An_rsi_call_is_a_trap_and_the_tmm_s_command_without_a_world_switch()
    {
        var steps = WorldSwitch.RsiCall(PlatformConfiguration.VirtccaSel2, Costs);
        Assert.Equal(530 + 300, WorldSwitch.Total(steps));
        Assert.All(steps, s => Assert.Equal(WorldChange.None, s.Switch));
        Assert.Equal(470, WorldSwitch.Total(WorldSwitch.FirmwareCall(Costs)));
    }
}
