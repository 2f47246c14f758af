using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Tests;

/// <summary>What KVM makes of an exit record (realm) or a trap's syndrome (normal VM), from the ABI's named fields alone.</summary>
public sealed class ExitDecoderTests
{
    private static RecExit Sync(ulong esr, ulong hpfar = 0, ulong x0 = 0)
    {
        var r = new RecExit(RecExitReason.Sync) { Esr = esr, Hpfar = hpfar };
        r.Gprs[0] = x0;
        return r;
    }

    [Fact]
    public void An_emulatable_data_abort_is_an_mmio_access_with_its_size_direction_and_written_value()
    {
        var e = ExitDecoder.FromRecord(Sync(Esr.EcDataAbortLower | Esr.Isv | Esr.Sas(4) | Esr.WnR | Esr.DfscTranslationL3, Esr.Hpfar(0x80_0900_0000), 0x1234));
        Assert.Equal(new KvmExit(ExitKind.Mmio, Address: 0x80_0900_0000, Size: 4, Write: true, Value: 0x1234), e);
        var read = ExitDecoder.FromRecord(Sync(Esr.EcDataAbortLower | Esr.Isv | Esr.Sas(8) | Esr.Sf, Esr.Hpfar(0x80_0000_1000)));
        Assert.Equal((ExitKind.Mmio, 8, false, 0UL), (read.Kind, read.Size, read.Write, read.Value));
    }

    [Fact]
    public void A_data_abort_without_a_valid_syndrome_is_a_stage_2_fault_at_the_page()
    {
        var e = ExitDecoder.FromRecord(Sync(Esr.EcDataAbortLower | Esr.DfscTranslationL3, Esr.Hpfar(0x12_3000)));
        Assert.Equal(new KvmExit(ExitKind.Stage2Fault, Address: 0x12_3000), e);
        var fetch = ExitDecoder.FromRecord(Sync(Esr.EcInstructionAbortLower | Esr.DfscTranslationL3, Esr.Hpfar(0x4000)));
        Assert.Equal(ExitKind.Stage2Fault, fetch.Kind);
    }

    [Fact]
    public void Wfi_sgi_writes_interrupts_host_calls_ripas_and_psci_each_decode_to_their_kind()
    {
        Assert.Equal(ExitKind.Wfi, ExitDecoder.FromRecord(Sync(Esr.EcWfx | Esr.Il)).Kind);
        ulong sgi = Cores.Vcpu.VcpuSgi.Encode(3, 5);
        Assert.Equal(new KvmExit(ExitKind.SgiWrite, Value: sgi), ExitDecoder.FromRecord(Sync(Esr.EcSysReg | Esr.Il | Cores.Vcpu.VcpuSgi.MsrIss, x0: sgi)));
        Assert.Equal(ExitKind.Irq, ExitDecoder.FromRecord(new RecExit(RecExitReason.Irq)).Kind);
        Assert.Equal(ExitKind.Irq, ExitDecoder.FromRecord(new RecExit(RecExitReason.Fiq)).Kind);
        Assert.Equal(new KvmExit(ExitKind.HostCall, Imm: 7), ExitDecoder.FromRecord(new RecExit(RecExitReason.HostCall) { Imm = 7 }));
        Assert.Equal(new KvmExit(ExitKind.RipasChange, Address: 0x1000, Top: 0x5000, Value: 1),
            ExitDecoder.FromRecord(new RecExit(RecExitReason.RipasChange) { RipasBase = 0x1000, RipasTop = 0x5000, RipasValue = 1 }));
        var psci = new RecExit(RecExitReason.Psci);
        (psci.Gprs[0], psci.Gprs[1], psci.Gprs[2], psci.Gprs[3]) = (Psci.CpuOn, Mpidr.Of(2), 0x8000, 9);
        Assert.Equal(new KvmExit(ExitKind.Psci, Function: Psci.CpuOn, Arg1: Mpidr.Of(2), Arg2: 0x8000, Arg3: 9), ExitDecoder.FromRecord(psci));
        Assert.Equal(ExitKind.SError, ExitDecoder.FromRecord(new RecExit(RecExitReason.SError) { Esr = 0x5E000000 }).Kind);
    }

    [Fact]
    public void A_sysreg_trap_that_is_not_an_sgi_write_is_not_something_kvm_emulates()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ExitDecoder.FromRecord(Sync(Esr.EcSysReg | Esr.Il | 0x12345 << 1)));
        Assert.Contains("does not emulate", e.Message);
    }

    [Fact]
    public void A_normal_vms_hvc_is_psci_when_x0_names_a_psci_function_else_a_hypercall_and_its_smc_is_an_smc()
    {
        ulong hvc = GuestTraps.EcHvc64 | Esr.Il, smc = GuestTraps.EcSmc64 | Esr.Il;
        Assert.Equal(new KvmExit(ExitKind.Hypercall, Function: 0x42), ExitDecoder.FromHardware(hvc, 0, 0, [0x42, 0, 0, 0]));
        Assert.Equal(new KvmExit(ExitKind.Psci, Function: Psci.SystemOff), ExitDecoder.FromHardware(hvc, 0, 0, [Psci.SystemOff, 0, 0, 0]));
        Assert.Equal(new KvmExit(ExitKind.Smc, Function: RsiFid.Version), ExitDecoder.FromHardware(smc, 0, 0, [RsiFid.Version, 0, 0, 0]));
        // A VM's data abort carries the offset in FAR.
        var e = ExitDecoder.FromHardware(GuestTraps.DataAbortEsr(4, true), 0x0900_0010, Esr.Hpfar(0x0900_0010), [7, 0, 0, 0]);
        Assert.Equal(new KvmExit(ExitKind.Mmio, Address: 0x0900_0010, Size: 4, Write: true, Value: 7), e);
    }
}
