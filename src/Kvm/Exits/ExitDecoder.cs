using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Exits;

/// <summary>
/// Turns what KVM can see of an exit into a <see cref="KvmExit"/>: for a realm, the exit record the TMM
/// wrote into the run page (RMM v1.0 §5.2 — never the realm's registers, only what the record shows);
/// for a normal VM, the hardware syndrome and the vCPU's registers, which KVM owns.
/// </summary>
public static class ExitDecoder
{
    /// <summary>ESR_EL2.EC of an HVC and an SMC from AArch64 (the realm's SMCs reach the TMM, never KVM).</summary>
    public const ulong EcHvc64 = 0x16, EcSmc64 = 0x17;

    /// <summary>ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 with Rt hidden (Op0 3, Op1 0, CRn 12, CRm 11, Op2 5, write).</summary>
    public const ulong IccSgi1rWriteIss = 3UL << 20 | 5UL << 17 | 0UL << 14 | 12UL << 10 | 11UL << 1;

    public static KvmExit FromRecord(RecExit r) => r.Reason switch
    {
        RecExitReason.Sync => FromSyndrome(r.Esr, r.Far, r.Hpfar, r.Gprs[0], realm: true),
        RecExitReason.Irq or RecExitReason.Fiq => new KvmExit(ExitKind.Irq),
        RecExitReason.SError => new KvmExit(ExitKind.SError, Value: r.Esr),
        RecExitReason.HostCall => new KvmExit(ExitKind.HostCall, Imm: r.Imm),
        RecExitReason.RipasChange => new KvmExit(ExitKind.RipasChange, Address: r.RipasBase, Top: r.RipasTop, Value: r.RipasValue),
        RecExitReason.Psci => new KvmExit(ExitKind.Psci, Function: r.Gprs[0], Arg1: r.Gprs[1], Arg2: r.Gprs[2], Arg3: r.Gprs[3]),
        _ => throw new InvalidOperationException($"exit record with reason {(byte)r.Reason}, which RMM v1.0 does not define"),
    };

    /// <summary>A normal VM's trap: the syndrome registers and X0..X3 of the vCPU.</summary>
    public static KvmExit FromHardware(ulong esr, ulong far, ulong hpfar, ReadOnlySpan<ulong> x)
    {
        ulong ec = Esr.Ec(esr);
        if (ec == EcHvc64)
            return Psci.IsPsci(x[0])
                ? new KvmExit(ExitKind.Psci, Function: x[0], Arg1: x[1], Arg2: x[2], Arg3: x[3])
                : new KvmExit(ExitKind.Hypercall, Function: x[0]);
        if (ec == EcSmc64) return new KvmExit(ExitKind.Smc, Function: x[0]);
        return FromSyndrome(esr, far, hpfar, x[0], realm: false);
    }

    private static KvmExit FromSyndrome(ulong esr, ulong far, ulong hpfar, ulong x0, bool realm)
    {
        if (Esr.IsWfx(esr)) return new KvmExit(ExitKind.Wfi);
        if (Esr.IsSysReg(esr))
        {
            if ((esr & Esr.SysRegIssVisible & ~1UL) == (IccSgi1rWriteIss & ~1UL) && (esr & 1) == 0)
                return new KvmExit(ExitKind.SgiWrite, Value: x0);
            throw new InvalidOperationException($"trapped system register access (ESR 0x{esr:X}) that KVM does not emulate");
        }
        if (Esr.IsDataAbort(esr) || Esr.Ec(esr) == Esr.EcInstructionAbortLower >> Esr.EcShift)
        {
            // HPFAR gives the page; FAR's low bits the offset (a realm's record leaves FAR zero: the page is what KVM may know).
            ulong ipa = Esr.FaultIpa(hpfar) | (far & (Granule.Size - 1));
            if (Esr.IsEmulatable(esr))
                return new KvmExit(ExitKind.Mmio, Address: ipa, Size: Esr.AccessSize(esr), Write: Esr.IsWrite(esr), Value: Esr.IsWrite(esr) ? x0 : 0);
            return new KvmExit(ExitKind.Stage2Fault, Address: ipa, Write: Esr.IsWrite(esr));
        }
        throw new InvalidOperationException($"{(realm ? "realm exit record" : "trap")} with ESR 0x{esr:X} (EC 0x{Esr.Ec(esr):X}), which KVM does not handle");
    }
}
