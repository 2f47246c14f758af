namespace VirtCca.Tmm.Abi;

/// <summary>
/// ESR_EL2 fields as a REC exit reports them (§5.2) and as KVM decodes them: the exception class in
/// [31:26], and for data aborts ISV, SAS, SF, WnR, the (hidden) SRT and the fault status.
/// </summary>
public static class Esr
{
    public const int EcShift = 26;
    public const ulong EcWfx = 0x01UL << EcShift;
    /// <summary>A trapped MSR/MRS; the host sees the ISS without Rt (bits [9:5]).</summary>
    public const ulong EcSysReg = 0x18UL << EcShift;
    public const ulong EcInstructionAbortLower = 0x20UL << EcShift;
    public const ulong EcDataAbortLower = 0x24UL << EcShift;
    public const ulong Il = 1UL << 25, Isv = 1UL << 24, Sf = 1UL << 15, WnR = 1UL << 6;
    public const ulong DfscTranslationL3 = 0x07;
    public const ulong SysRegIssVisible = 0x1FF_FFFFUL & ~(0x1FUL << 5);
    /// <summary>SError syndrome bits the host may see: EC, IDS, AET, EA, DFSC.</summary>
    public const ulong SErrorVisible = 0x3FUL << EcShift | 1UL << 24 | 0x7UL << 10 | 1UL << 9 | 0x3F;

    /// <summary>The exception class, shifted down (0x24 for a data abort from a lower EL).</summary>
    public static ulong Ec(ulong esr) => esr >> EcShift & 0x3F;

    public static bool IsDataAbort(ulong esr) => Ec(esr) == EcDataAbortLower >> EcShift;
    public static bool IsWfx(ulong esr) => Ec(esr) == EcWfx >> EcShift;
    public static bool IsSysReg(ulong esr) => Ec(esr) == EcSysReg >> EcShift;

    /// <summary>A data abort whose syndrome is valid: the host can emulate the access (EMUL_MMIO).</summary>
    public static bool IsEmulatable(ulong esr) => IsDataAbort(esr) && (esr & Isv) != 0;
    public static bool IsWrite(ulong esr) => (esr & WnR) != 0;
    /// <summary>SAS: the access size in bytes.</summary>
    public static int AccessSize(ulong esr) => 1 << (int)(esr >> 22 & 3);
    public static ulong Sas(int size) => (ulong)System.Numerics.BitOperations.Log2((uint)size) << 22;

    /// <summary>The faulting IPA an exit reports in HPFAR (bits [43:4] hold IPA[51:12]).</summary>
    public static ulong FaultIpa(ulong hpfar) => (hpfar & ~0xFUL) << 8;
    public static ulong Hpfar(ulong ipa) => (ipa >> 8) & ~0xFUL;
}
