namespace VirtCca.Tmm.Abi;

/// <summary>PSCI 1.1 function ids and return values as a Realm uses them (§0.3).</summary>
public static class Psci
{
    public const ulong SmcccVersion = 0x80000000;
    public const ulong Version = 0x84000000;
    public const ulong CpuOn32 = 0x84000003, AffinityInfo32 = 0x84000004;
    public const ulong CpuSuspend = 0xC4000001, CpuSuspend32 = 0x84000001;
    public const ulong CpuOff = 0x84000002;
    public const ulong CpuOn = 0xC4000003;
    public const ulong AffinityInfo = 0xC4000004;
    public const ulong SystemOff = 0x84000008;
    public const ulong SystemReset = 0x84000009;
    public const ulong Features = 0x8400000A;

    public const ulong Success = 0;
    public const ulong NotSupported = unchecked((ulong)-1L);
    public const ulong InvalidParams = unchecked((ulong)-2L);
    public const ulong Denied = unchecked((ulong)-3L);
    public const ulong AlreadyOn = unchecked((ulong)-4L);
    public const ulong InvalidAddress = unchecked((ulong)-9L);

    public const ulong AffinityOn = 0, AffinityOff = 1, AffinityOnPending = 2;
    public const ulong Version11 = 0x10001;

    /// <summary>Whether an SMCCC function id is in PSCI's ranges (SMC32 0x8400_00xx, SMC64 0xC400_00xx, functions 0x00..0x1F).</summary>
    public static bool IsPsci(ulong fid) => fid is >= 0x84000000 and <= 0x8400001F or >= 0xC4000000 and <= 0xC400001F;
}
