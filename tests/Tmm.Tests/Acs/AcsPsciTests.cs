using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Tests.Acs.RealmSide;
using Smc = VirtCca.Tmm.Recs.GuestStep.Smc;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// ACS command scenarios of PSCI called from inside a Realm (VERSION, FEATURES, CPU_ON, CPU_OFF,
/// CPU_SUSPEND, AFFINITY_INFO, SYSTEM_OFF, SYSTEM_RESET), and the REC_ENTER conditions only a Realm
/// can set up: a pending PSCI request, a REC turned off, a Realm after SYSTEM_OFF.
/// The Realm: REC 0 runnable, RECs 1 and 2 created not runnable, rec_count 3.
/// </summary>
public sealed class AcsPsciTests
{
    internal static readonly IReadOnlyDictionary<string, RealmStimulus> Failures = Table(
        new("CPU_ON entry: an unprotected entry point", _ => new(Psci.CpuOn, Mpidr.Of(1), Ns, 0), Psci.InvalidAddress),
        new("CPU_ON entry: beyond the IPA width", _ => new(Psci.CpuOn, Mpidr.Of(1), 1UL << 40, 0), Psci.InvalidAddress),
        new("CPU_ON mpidr: an MPIDR never assigned (index 3)", _ => new(Psci.CpuOn, Mpidr.Of(3), 0x1000, 0), Psci.InvalidParams),
        new("CPU_ON mpidr: bits outside the affinity fields", _ => new(Psci.CpuOn, Mpidr.Of(1) | 1UL << 40, 0x1000, 0), Psci.InvalidParams),
        new("CPU_ON runnable: the caller itself is on", _ => new(Psci.CpuOn, Mpidr.Of(0), 0x1000, 0), Psci.AlreadyOn),
        new("CPU_ON (SMC32) mpidr: an MPIDR never assigned", _ => new(Psci.CpuOn32, Mpidr.Of(9), 0x1000, 0), Psci.InvalidParams),
        new("CPU_ON entry beats mpidr", _ => new(Psci.CpuOn, Mpidr.Of(3), Ns, 0), Psci.InvalidAddress),
        new("AFFINITY_INFO target_bound: lowest affinity level 1", _ => new(Psci.AffinityInfo, Mpidr.Of(1), 1), Psci.InvalidParams),
        new("AFFINITY_INFO target_match: an MPIDR never assigned", _ => new(Psci.AffinityInfo, Mpidr.Of(3), 0), Psci.InvalidParams),
        new("AFFINITY_INFO (SMC32) target_match: an MPIDR never assigned", _ => new(Psci.AffinityInfo32, Mpidr.Of(3), 0), Psci.InvalidParams));

    public static TheoryData<string> Cases => Labels(Failures);

    [Theory, MemberData(nameof(Cases))]
    public void Psci_call_fails(string label) => Check(Failures[label]);

    [Fact]
    public void Psci_version_is_1_1_and_smccc_version_1_2_without_an_exit()
    {
        var r = Make(new AcsWorld());
        Assert.Equal(0x10001UL, r.Smc(0, Psci.Version)[0]);
        Assert.Equal(0x10002UL, r.Smc(0, Psci.SmcccVersion)[0]);
    }

    [Theory]
    [InlineData(Psci.CpuSuspend, Psci.Success)]
    [InlineData(Psci.CpuSuspend32, Psci.Success)]
    [InlineData(Psci.CpuOff, Psci.Success)]
    [InlineData(Psci.CpuOn, Psci.Success)]
    [InlineData(Psci.CpuOn32, Psci.Success)]
    [InlineData(Psci.AffinityInfo, Psci.Success)]
    [InlineData(Psci.AffinityInfo32, Psci.Success)]
    [InlineData(Psci.SystemOff, Psci.Success)]
    [InlineData(Psci.SystemReset, Psci.Success)]
    [InlineData(Psci.Features, Psci.Success)]
    [InlineData(Psci.SmcccVersion, Psci.Success)]
    [InlineData(Psci.Version, Psci.NotSupported)]          // TF-RMM does not list PSCI_VERSION itself (digest §0.3)
    [InlineData(0x84000005UL, Psci.NotSupported)]          // MIGRATE
    [InlineData(0xC4000012UL, Psci.NotSupported)]          // SYSTEM_RESET2 (64-bit)
    [InlineData(0xC4000190UL, Psci.NotSupported)]          // an RSI function is no PSCI function
    public void Psci_features_lists_what_a_realm_may_call(ulong fid, ulong x0) =>
        Assert.Equal(x0, Make(new AcsWorld()).Smc(0, Psci.Features, fid)[0]);

    [Fact]
    public void An_unknown_smc_returns_minus_one_and_an_hvc_is_undefined_inside_the_realm()
    {
        var r = Make(new AcsWorld());
        Assert.Equal(ulong.MaxValue, r.Smc(0, 0xC2000000)[0]);
        Assert.Equal(ulong.MaxValue, r.Smc(0, 0x84000050)[0]);
        var run = r.Run(0, new GuestStep.Hvc());
        Assert.Equal(("undefined", RecExitReason.Irq), (run.Outcomes.Single().Kind, run.Exit!.Reason));
    }

    [Fact]
    public void Cpu_on_exits_to_the_host_the_caller_waits_for_psci_complete_and_the_target_starts_at_its_entry()
    {
        var w = new AcsWorld();
        var r = Make(w);
        var x = r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x4000, 0xC0DE);
        Assert.Equal((RecExitReason.Psci, Psci.CpuOn, Mpidr.Of(1), 0x4000UL, 0xC0DEUL), (x.Reason, x.Gprs[0], x.Gprs[1], x.Gprs[2], x.Gprs[3]));
        Assert.All(x.Gprs[4..], g => Assert.Equal(0UL, g));
        // rec_psci: the caller cannot run until the host completes the request; the target is still off.
        Assert.Equal(Acs.ErrorRec, r.Enter(0).X0);
        Assert.Equal(Acs.ErrorRec, r.Enter(1).X0);
        Assert.Equal(0UL, w.Host.Call(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success).X0);
        var target = r.RecModel(1);
        Assert.Equal((true, 0x4000UL, 0xC0DEUL), (target.Runnable, target.Pc, target.Gprs[0]));
        Assert.All(target.Gprs[1..], g => Assert.Equal(0UL, g));
        Assert.Equal((Psci.Success, 0UL, 0UL, 0UL), (r.RecModel(0).Gprs[0], r.RecModel(0).Gprs[1], r.RecModel(0).Gprs[2], r.RecModel(0).Gprs[3]));
        Assert.Equal(0UL, r.Enter(1).X0);
        Assert.Equal(0UL, r.Enter(0).X0);
        // ACS "runnable": CPU_ON of a REC that is now on completes ALREADY_ON.
        r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x4000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AlreadyOn, r.RecModel(0).Program.Log[^1].X0);
    }

    [Fact]
    public void Cpu_on_denied_by_the_host_leaves_the_target_off()
    {
        var w = new AcsWorld();
        var r = Make(w);
        r.SmcExits(0, Psci.CpuOn32, Mpidr.Of(2), 0x4000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[2], Psci.Denied);
        Assert.Equal(Psci.Denied, r.RecModel(0).Program.Log[^1].X0);
        Assert.False(r.RecModel(2).Runnable);
        Assert.Equal(Acs.ErrorRec, r.Enter(2).X0);
    }

    [Fact]
    public void Affinity_info_of_itself_is_on_and_of_another_rec_is_answered_through_the_host()
    {
        var w = new AcsWorld();
        var r = Make(w);
        Assert.Equal(Psci.AffinityOn, r.Smc(0, Psci.AffinityInfo, Mpidr.Of(0), 0)[0]);
        var x = r.SmcExits(0, Psci.AffinityInfo, Mpidr.Of(1), 0);
        Assert.Equal((RecExitReason.Psci, Psci.AffinityInfo, Mpidr.Of(1)), (x.Reason, x.Gprs[0], x.Gprs[1]));
        Assert.Equal(Acs.ErrorRec, r.Enter(0).X0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AffinityOff, r.RecModel(0).Program.Log[^1].X0);   // REC 1 not runnable: OFF
        r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x4000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        r.SmcExits(0, Psci.AffinityInfo32, Mpidr.Of(1), 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AffinityOn, r.RecModel(0).Program.Log[^1].X0);    // runnable now: ON
    }

    [Fact]
    public void Cpu_off_exits_and_leaves_the_rec_not_runnable_until_a_cpu_on()
    {
        var w = new AcsWorld();
        var r = Make(w);
        r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x4000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        var x = r.SmcExits(1, Psci.CpuOff);
        Assert.Equal((RecExitReason.Psci, Psci.CpuOff), (x.Reason, x.Gprs[0]));
        Assert.False(r.RecModel(1).Runnable);
        Assert.Equal(Acs.ErrorRec, r.Enter(1).X0);                            // rec_runnable
        r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x6000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal((Psci.Success, 0x6000UL), (r.RecModel(0).Program.Log[^1].X0, r.RecModel(1).Pc));
        Assert.Equal(0UL, r.Enter(1).X0);
    }

    [Theory]
    [InlineData(Psci.CpuSuspend)]
    [InlineData(Psci.CpuSuspend32)]
    public void Cpu_suspend_exits_with_its_arguments_and_the_rec_goes_on(ulong fid)
    {
        var r = Make(new AcsWorld());
        var run = r.Run(0, new Smc(fid, 0x1_0000, 0x4000, 0x77), new GuestStep.Smc(RsiFid.Version, 0x10000));
        Assert.Equal((RecExitReason.Psci, fid, 0x1_0000UL, 0x4000UL, 0x77UL), (run.Exit!.Reason, run.Exit.Gprs[0], run.Exit.Gprs[1], run.Exit.Gprs[2], run.Exit.Gprs[3]));
        Assert.Equal(Psci.Success, run.Registers[0]);
        Assert.True(r.RecModel(0).Runnable);
        Assert.Equal(RsiFid.Success, r.Resume(0).Registers[0]);
    }

    [Theory]
    [InlineData(Psci.SystemOff)]
    [InlineData(Psci.SystemReset)]
    public void After_system_off_or_reset_no_rec_of_the_realm_enters_again(ulong fid)
    {
        var w = new AcsWorld();
        var r = Make(w);
        r.SmcExits(0, Psci.CpuOn, Mpidr.Of(1), 0x4000, 0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        var x = r.SmcExits(1, fid);
        Assert.Equal((RecExitReason.Psci, fid), (x.Reason, x.Gprs[0]));
        Assert.Equal(Realms.RealmState.SystemOff, r.Model.State);
        Assert.All(new[] { 0, 1, 2 }, rec => Assert.Equal(Acs.ErrorRealmAt(1), r.Enter(rec).X0));
        // The host can still tear it down.
        foreach (var rec in r.Recs) w.Host.Ok(RmiFid.RecDestroy, rec);
    }
}
