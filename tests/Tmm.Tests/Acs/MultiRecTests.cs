using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;
using Smc = VirtCca.Tmm.Recs.GuestStep.Smc;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// Several RECs of one Realm at once, each on its own host CPU: a REC entered on a CPU stays in
/// REC_ENTER (<see cref="Rmm.EnterOnCpu"/>) and the Realm's traps come one by one
/// (<see cref="Rmm.RealmTrap"/>), so the calls of different CPUs interleave in any order a test
/// chooses. The ACS multithread scenarios, CPU_ON races, a REC entered twice, AFFINITY_INFO while its
/// target changes state.
/// </summary>
public sealed class MultiRecTests
{
    private static TestRealm Realm(AcsWorld w, int recs, bool allRunnable = true)
    {
        var r = w.Host.Realm().Populate(recs: recs, allRunnable: allRunnable);
        r.Activate();
        return r;
    }

    private static void Running(TestRealm r, int rec) => Assert.True(r.EnterOnCpu(rec).X0 == 0, r.Rmm.LastError);

    /// <summary>The Realm on a CPU makes an SMC the TMM answers: its registers; the REC stays on the CPU.</summary>
    private static ulong[] Call(TestRealm r, int rec, ulong fid, params ulong[] args)
    {
        var t = r.Trap(rec, new Smc(fid, args));
        Assert.False(t.Exited, $"REC {rec} exited for 0x{fid:X}");
        return t.Registers;
    }

    /// <summary>The Realm on a CPU traps with something that ends REC_ENTER: the exit record in its run page.</summary>
    private static RecExit Exits(TestRealm r, int rec, GuestStep step)
    {
        var t = r.Trap(rec, step);
        Assert.True(t.Exited && t.Status.X0 == 0, $"REC {rec}: {t}");
        return r.Exit(rec);
    }

    [Fact]
    public void Acs_multithread_realm_up_rec_0_starts_rec_1_which_turns_off_then_rec_0_goes_on()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2, allRunnable: false);
        r.Program(0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0x5555), new Smc(RsiFid.HostCall, 0x2100));
        r.Program(1, new Smc(Psci.CpuOff));
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal((RecExitReason.Psci, Psci.CpuOn), (r.Exit(0).Reason, r.Exit(0).Gprs[0]));
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(0UL, r.Enter(1).X0);
        Assert.Equal((RecExitReason.Psci, Psci.CpuOff), (r.Exit(1).Reason, r.Exit(1).Gprs[0]));
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal(RecExitReason.HostCall, r.Exit(0).Reason);
        Assert.Equal(Psci.Success, r.RecModel(0).Program.Log.Single(o => o.Kind == "psci-result").X0);
    }

    [Fact]
    public void Acs_multithread_realm_mp_rec_1_runs_on_a_second_cpu_while_rec_0_is_in_its_realm()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2, allRunnable: false);
        Running(r, 0);
        Assert.Equal((RecExitReason.Psci, Mpidr.Of(1)), (Exits(r, 0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0x5555)).Reason, r.Exit(0).Gprs[1]));
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Running(r, 1);   // CPU 1
        Running(r, 0);   // CPU 0, at the same time
        Assert.Equal(Psci.Success, r.RecModel(0).Gprs[0]);
        Assert.Equal((0x3000UL, 0x5555UL), (r.RecModel(1).Pc, r.RecModel(1).Gprs[0]));
        Assert.Equal(Psci.CpuOff, Exits(r, 1, new Smc(Psci.CpuOff)).Gprs[0]);
        Assert.Equal(RecExitReason.HostCall, Exits(r, 0, new Smc(RsiFid.HostCall, 0x2100)).Reason);
        Assert.Empty(r.Rmm.CheckInvariants());
    }

    [Fact]
    public void Four_recs_on_four_cpus_interleave_their_traps_and_share_the_realms_memory()
    {
        var w = new AcsWorld();
        var r = Realm(w, 4);
        for (int rec = 0; rec < 4; rec++) Running(r, rec);
        // Each CPU's trap is answered for its own REC, in whatever order they arrive.
        foreach (int rec in new[] { 2, 0, 3, 1 })
            Assert.False(r.Trap(rec, new GuestStep.Store(0x4000 + (ulong)rec * 8, 0x100 + (ulong)rec)).Exited);
        foreach (int rec in new[] { 1, 3, 0, 2 })
        {
            int other = (rec + 1) % 4;
            Assert.Equal(0x100UL + (ulong)other, LoadOn(r, rec, 0x4000 + (ulong)other * 8)); // what another CPU stored
        }
        // REM extensions from every CPU land in the one Realm measurement.
        for (int rec = 0; rec < 4; rec++) Assert.Equal(RsiFid.Success, Call(r, rec, RsiFid.MeasurementExtend, 2, 8, (ulong)rec)[0]);
        var rem = r.Model.Measurement.Value(2);
        Assert.NotEqual(new byte[32], rem);
        // Exits go to each REC's own run page.
        Assert.Equal(RecExitReason.Irq, Exits(r, 3, new GuestStep.Interrupt()).Reason);
        Assert.Equal(RecExitReason.Psci, Exits(r, 1, new Smc(Psci.CpuSuspend, 0, 0, 0)).Reason);
        Assert.Equal((RecExitReason.Irq, RecExitReason.Psci), (r.Exit(3).Reason, r.Exit(1).Reason));
        Assert.Equal((true, true, false, false), (r.RecModel(0).RunningWith != null, r.RecModel(2).RunningWith != null, r.RecModel(1).RunningWith != null, r.RecModel(3).RunningWith != null));
    }

    private static ulong LoadOn(TestRealm r, int rec, ulong ipa)
    {
        var t = r.Trap(rec, new GuestStep.Load(ipa));
        Assert.False(t.Exited);
        return t.Registers[0];
    }

    [Fact]
    public void A_rec_running_on_one_cpu_is_refused_to_another_until_it_exits()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2);
        Running(r, 0);
        Assert.Equal(Acs.ErrorRec, r.Enter(0).X0);          // REC_ENTER from CPU 1
        Assert.Equal(Acs.ErrorRec, r.EnterOnCpu(0).X0);     // or a second EnterOnCpu
        Assert.Equal(Acs.ErrorRec, w.Host.Call(RmiFid.RecDestroy, r.Recs[0]).X0);
        Assert.Equal("the REC is running on a CPU", r.Rmm.LastError);
        Assert.Equal(RsiFid.Success, Call(r, 0, RsiFid.Version, 0x10000)[0]); // still running on CPU 0
        Exits(r, 0, new GuestStep.Interrupt());
        Assert.Equal(0UL, r.Enter(0).X0);                   // free again
    }

    [Fact]
    public void Cpu_on_race_two_recs_start_the_same_target_and_the_second_completion_is_already_on()
    {
        var w = new AcsWorld();
        var r = Realm(w, 3);
        Running(r, 0);
        Running(r, 1);
        Running(r, 2);
        Exits(r, 1, new Smc(Psci.CpuOff));                                      // REC 1 turns itself off
        Exits(r, 0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 1));               // CPUs 0 and 2 both want it back
        Exits(r, 2, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x5000, 2));
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[2], r.Recs[1], Psci.Success);    // the host serves REC 2 first
        Assert.Equal((0x5000UL, 2UL), (r.RecModel(1).Pc, r.RecModel(1).Gprs[0]));
        // REC 0's request: the target is already on — DENIED is not allowed then; SUCCESS reports ALREADY_ON.
        Assert.Equal(Acs.ErrorInput, w.Host.Call(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Denied).X0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AlreadyOn, r.RecModel(0).Gprs[0]);
        Assert.Equal((0x5000UL, 2UL), (r.RecModel(1).Pc, r.RecModel(1).Gprs[0])); // REC 0's entry point did not win
    }

    [Fact]
    public void Cpu_on_of_a_target_running_on_another_cpu_completes_already_on()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2);
        Running(r, 1);
        r.Program(0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        var pc = r.RecModel(1).Pc;
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AlreadyOn, r.RecModel(0).Gprs[0]);
        Assert.Equal(pc, r.RecModel(1).Pc); // the running REC was not reset
        Assert.Equal(RsiFid.Success, Call(r, 1, RsiFid.Version, 0x10000)[0]);
    }

    [Fact]
    public void Cpu_on_race_the_target_is_destroyed_before_the_host_completes_the_request()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2, allRunnable: false);
        r.Program(0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        var target = r.Recs[1];
        w.Host.Ok(RmiFid.RecDestroy, target);                   // another CPU of the host tears REC 1 down
        Assert.Equal(Acs.ErrorInput, w.Host.Call(RmiFid.PsciComplete, r.Recs[0], target, Psci.Success).X0);
        Assert.Equal("calling and target must both be REC granules", r.Rmm.LastError);
        // The granule comes back as a REC of another Realm with the same index: still not this Realm's.
        w.Host.Ok(RmiFid.GranuleUndelegate, target);
        w.Host.Ok(RmiFid.GranuleDelegate, target);
        var fresh = w.Host.Realm();
        fresh.Rec();
        w.Host.Ok(RmiFid.RecCreate, fresh.Rd, target, fresh.RecParamsPage());
        Assert.Equal(Mpidr.Of(1), w.Host.Rmm.RecAt(target)!.Mpidr);
        Assert.Equal(Acs.ErrorInput, w.Host.Call(RmiFid.PsciComplete, r.Recs[0], target, Psci.Success).X0);
        Assert.Equal("the target REC belongs to another Realm", r.Rmm.LastError);
        // The caller stays waiting; the host can only destroy it.
        Assert.Equal(Acs.ErrorRec, r.Enter(0).X0);
        w.Host.Ok(RmiFid.RecDestroy, r.Recs[0]);
        Assert.Empty(w.Host.Rmm.CheckInvariants());
    }

    [Fact]
    public void A_cpu_on_target_running_on_another_cpu_cannot_be_destroyed_under_the_request()
    {
        var w = new AcsWorld();
        var r = Realm(w, 2);
        Running(r, 1);
        r.Program(0, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal(Acs.ErrorRec, w.Host.Call(RmiFid.RecDestroy, r.Recs[1]).X0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AlreadyOn, r.RecModel(0).Gprs[0]);
    }

    [Fact]
    public void Affinity_info_is_answered_from_the_targets_state_when_the_host_completes_it()
    {
        var w = new AcsWorld();
        var r = w.Host.Realm().Populate(recs: 0);
        r.Rec(runnable: true);
        r.Rec(runnable: false);
        r.Rec(runnable: true);
        r.Activate();
        // REC 0 asks about REC 1 (off); before the host answers, REC 2 starts REC 1 from another CPU.
        r.Program(0, new Smc(Psci.AffinityInfo, Mpidr.Of(1), 0), new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal(Psci.AffinityInfo, r.Exit(0).Gprs[0]);
        Running(r, 2);
        Exits(r, 2, new Smc(Psci.CpuOn, Mpidr.Of(1), 0x3000, 0));
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[2], r.Recs[1], Psci.Success);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AffinityOn, r.RecModel(0).Gprs[0]);
        // Now REC 1 runs on a CPU and turns itself off while REC 0's next question waits.
        Running(r, 1);
        r.Program(0, new Smc(Psci.AffinityInfo, Mpidr.Of(1), 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        Assert.Equal(Psci.CpuOff, Exits(r, 1, new Smc(Psci.CpuOff)).Gprs[0]);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[1], Psci.Success);
        Assert.Equal(Psci.AffinityOff, r.RecModel(0).Gprs[0]);
        // And of a REC running on a CPU: ON.
        Running(r, 2);
        r.Program(0, new Smc(Psci.AffinityInfo, Mpidr.Of(2), 0));
        Assert.Equal(0UL, r.Enter(0).X0);
        w.Host.Ok(RmiFid.PsciComplete, r.Recs[0], r.Recs[2], Psci.Success);
        Assert.Equal(Psci.AffinityOn, r.RecModel(0).Gprs[0]);
    }

    [Fact]
    public void System_off_from_one_cpu_stops_every_rec_at_its_next_entry()
    {
        var w = new AcsWorld();
        var r = Realm(w, 3);
        Running(r, 0);
        Running(r, 1);
        Running(r, 2);
        Assert.Equal(Psci.SystemOff, Exits(r, 0, new Smc(Psci.SystemOff)).Gprs[0]);
        // REC 1 is still on its CPU until something takes it out; then no REC enters again.
        Assert.Equal(RecExitReason.Irq, Exits(r, 1, new GuestStep.Interrupt()).Reason);
        Assert.Equal(Acs.ErrorRealmAt(1), r.EnterOnCpu(1).X0);
        Assert.Equal(Acs.ErrorRealmAt(1), r.Enter(0).X0);
        Assert.Equal(Acs.ErrorRec, r.Enter(2).X0); // REC 2 is still running: refused as running first
        Exits(r, 2, new GuestStep.Interrupt());
        Assert.Equal(Acs.ErrorRealmAt(1), r.Enter(2).X0);
    }
}
