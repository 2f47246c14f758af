using VirtCca.Tmm.Abi;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.SecureMonitor.Tests;

public sealed class El3MonitorTests
{
    private const ulong RmiVersion = 0xC4000150, SipCall = 0x82000010;

    /// <summary>Drives a dispatched flow as the PE does: context switches at their steps, the TMM's answer at its step.</summary>
    private static void RunFlow(El3Monitor m, SmcDispatch d, SmcReply answer, Action? duringTmm = null)
    {
        foreach (var step in d.Steps)
        {
            if (step.ByTmm) { duringTmm?.Invoke(); m.TmmAnswered(answer); }
            else m.Apply(step.Switch);
        }
    }

    private static El3Monitor KvmIssues(PlatformConfiguration config, ulong fid)
    {
        var m = new El3Monitor(config, new WorldSwitchCosts());
        m.Live.X[0] = fid;
        for (int i = 1; i <= 5; i++) m.Live.X[i] = 0x100UL + (ulong)i;
        m.Live.X[19] = 0xCA11EE; // callee-saved: must survive the world switch
        return m;
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2, 2, 2)]
    [InlineData(PlatformConfiguration.VirtccaEl3, 1, 1)] // no S-EL2 context to save or restore
    public void An_rmi_call_goes_to_the_tmm_and_its_answer_lands_in_x0_to_x4_of_the_restored_normal_world(
        PlatformConfiguration config, long saves, long restores)
    {
        var m = KvmIssues(config, RmiVersion);
        var d = m.Smc();
        Assert.Equal(SmcTarget.Tmm, d.Target);
        Assert.Equal(new SmcRequest { Fid = RmiVersion, X1 = 0x101, X2 = 0x102, X3 = 0x103, X4 = 0x104, X5 = 0x105, World = World.NonSecure }, d.TmmRequest);

        var answer = new SmcReply { Fid = RmiVersion, X0 = 0, X1 = 0x10000, X2 = 0x10000, X3 = 7, X4 = 8 };
        RunFlow(m, d, answer, duringTmm: () =>
        {
            Assert.Equal(SecurityState.Secure, m.LiveWorld);
            m.Live.X[19] = 0x5EC; // the TMM's own use of the register file
        });

        Assert.Equal(SecurityState.NonSecure, m.LiveWorld);
        Assert.Equal([0UL, 0x10000, 0x10000, 7, 8], m.Live.X[..5]);
        Assert.Equal(0x105UL, m.Live.X[5]);
        Assert.Equal(0xCA11EEUL, m.Live.X[19]);
        Assert.Equal(saves, m.Saves);
        Assert.Equal(restores, m.Restores);
        if (config == PlatformConfiguration.VirtccaSel2) Assert.Equal(0x5ECUL, m.Saved(SecurityState.Secure).X[19]); // S-EL2 state kept for next time
    }

    [Fact]
    public void Psci_is_answered_by_the_firmware_at_el3_without_a_world_switch()
    {
        var m = KvmIssues(PlatformConfiguration.VirtccaSel2, Psci.Version);
        var d = m.Smc();
        Assert.Equal(SmcTarget.PsciFirmware, d.Target);
        Assert.Null(d.TmmRequest);
        Assert.Equal(Psci.Version11, m.Live.X[0]);
        Assert.Equal(0, m.Saves + m.Restores);
        Assert.Equal(470, WorldSwitch.Total(d.Steps));

        var on = KvmIssues(PlatformConfiguration.Baseline, Psci.CpuOn);
        var r = on.Smc().Psci;
        Assert.Equal(new PsciResult(Psci.Success, PsciAction.PowerOnOther, 0x101, 0x102), r);
        Assert.Equal(Psci.NotSupported, KvmIssues(PlatformConfiguration.Baseline, 0x84000008).Smc().Psci.X0); // SYSTEM_OFF
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2, SipCall)]
    [InlineData(PlatformConfiguration.Baseline, RmiVersion)] // no TMM behind the RMI range
    public void Anything_else_is_smc_unknown(PlatformConfiguration config, ulong fid)
    {
        var m = KvmIssues(config, fid);
        var d = m.Smc();
        Assert.Equal(SmcTarget.Unknown, d.Target);
        Assert.Equal(ulong.MaxValue, m.Live.X[0]); // -1
        Assert.Equal(0x105UL, m.Live.X[5]);
    }

    [Fact]
    public void The_baseline_never_switches_worlds_and_a_switch_must_alternate()
    {
        Assert.Throws<InvalidOperationException>(() => new El3Monitor(PlatformConfiguration.Baseline, new()).Apply(WorldChange.ToSecure));
        var m = new El3Monitor(PlatformConfiguration.VirtccaSel2, new());
        Assert.Throws<InvalidOperationException>(() => m.Apply(WorldChange.ToNormal));
        m.Apply(WorldChange.ToSecure);
        Assert.Throws<InvalidOperationException>(() => m.Apply(WorldChange.ToSecure));
    }
}
