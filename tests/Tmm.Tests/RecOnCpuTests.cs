using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>REC_ENTER split in two for a Realm that runs on a simulated PE: EnterOnCpu, then RealmTrap until an exit.</summary>
public sealed class RecOnCpuTests
{
    private const ulong EmulMmio = 1, TrapWfi = 4;
    private const ulong Mmio = RecSetup.Ns + 0x9000_0000 % (1UL << 21); // unprotected, unmapped: an emulatable abort

    [Fact]
    public void An_mmio_write_exits_with_the_value_and_no_register_number_then_completes_on_the_next_entry()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        var t = s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Store(Mmio + 0x10, 0xBEEF, Size: 4, Rt: 7));
        Assert.True(t.Exited);
        var exit = s.Exit();
        Assert.Equal(RecExitReason.Sync, exit.Reason);
        Assert.Equal(Esr.EcDataAbortLower | Esr.Il | Esr.Isv | Esr.Sas(4) | Esr.WnR | Esr.DfscTranslationL3, exit.Esr);
        Assert.Equal(0UL, exit.Esr >> 16 & 0x1F); // SRT hidden
        Assert.Equal(Mmio & ~0xFFFUL, exit.Far);
        Assert.Equal(0xBEEFUL, exit.Gprs[0]);
        Assert.Null(s.S.Rmm.RecAt(s.Recs[0])!.RunningWith);

        RecSetup.Ok(s.EnterOnCpu(flags: EmulMmio));
        Assert.Equal("mmio-write", s.Guest().Log[^1].Kind);
    }

    [Fact]
    public void An_mmio_read_takes_the_hosts_value_masked_to_the_access_size()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        Assert.True(s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Load(Mmio, Size: 2, Rt: 3)).Exited);
        RecSetup.Ok(s.EnterOnCpu(flags: EmulMmio, gpr0: 0x1234_5678));
        Assert.Equal(0x5678UL, s.S.Rmm.RecAt(s.Recs[0])!.Gprs[3]);
    }

    [Fact]
    public void A_running_rec_cannot_be_entered_again_or_destroyed()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        Assert.Equal(RmiStatus.ErrorRec, s.Enter().Status);
        Assert.Equal(RmiStatus.ErrorRec, s.EnterOnCpu().Status);
        Assert.Equal(RmiStatus.ErrorRec, s.S.Call(RmiFid.RecDestroy, s.Recs[0]).Status);
        Assert.Equal("the REC is running on a CPU", s.S.Rmm.LastError);
    }

    [Fact]
    public void An_rsi_call_resumes_the_realm_with_its_results()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        var t = s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Smc(RsiFid.Version, 0x10000));
        Assert.False(t.Exited);
        Assert.Equal([RsiFid.Success, 0x10000UL, 0x10000UL], t.Registers);
        Assert.NotNull(s.S.Rmm.RecAt(s.Recs[0])!.RunningWith);
    }

    [Fact]
    public void A_trapped_msr_exits_with_the_iss_but_not_rt_and_the_value_in_gprs0()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        const ulong iss = 0x30_0000 | 0x5UL << 17 | 0xCUL << 10 | 9UL << 5 | 0xBUL << 1; // ICC_SGI1R_EL1 write from X9
        Assert.True(s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.SysRegWrite(iss, 0x0100_0002)).Exited);
        var exit = s.Exit();
        Assert.Equal(Esr.EcSysReg | Esr.Il | (iss & ~(0x1FUL << 5)), exit.Esr);
        Assert.Equal(0x0100_0002UL, exit.Gprs[0]);
        Assert.All(exit.Gprs[1..], g => Assert.Equal(0UL, g));
    }

    [Fact]
    public void Wfi_exits_only_when_the_host_asked_to_trap_it()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        Assert.False(s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Wfi()).Exited);
        Assert.True(s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Interrupt()).Exited);
        Assert.Equal(RecExitReason.Irq, s.Exit().Reason);
        RecSetup.Ok(s.EnterOnCpu(flags: TrapWfi));
        Assert.True(s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Wfi()).Exited);
        Assert.Equal(Esr.EcWfx | Esr.Il, s.Exit().Esr);
    }

    [Fact]
    public void A_trap_from_a_rec_that_is_not_running_is_a_simulator_error()
    {
        var s = new RecSetup();
        var e = Assert.Throws<InvalidOperationException>(() => s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Wfi()));
        Assert.Contains("not running on a CPU", e.Message);
    }

    [Fact]
    public void A_run_granule_delegated_while_the_realm_runs_gets_no_exit_record_and_rec_enter_fails_input()
    {
        var s = new RecSetup();
        RecSetup.Ok(s.EnterOnCpu());
        Assert.Equal(RmiStatus.Success, s.S.Call(RmiFid.GranuleDelegate, s.Run).Status); // another CPU gives the run page away
        var t = s.S.Rmm.RealmTrap(s.Recs[0], new GuestStep.Interrupt());
        Assert.True(t.Exited);
        Assert.Equal(RmiStatus.ErrorInput, t.Status.Status);
        Assert.Contains("during REC_ENTER", s.S.Rmm.LastError);
        Assert.Empty(s.S.Rmm.CheckInvariants()); // nothing was written into the delegated granule's normal-world page
        Assert.Null(s.S.Rmm.RecAt(s.Recs[0])!.RunningWith);
    }
}
