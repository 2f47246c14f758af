namespace VirtCca.Tmm.Abi;

/// <summary>
/// virtCCA's TMI function ids, ABI major 2, as the openEuler kernel's kvm_tmi.h numbers them: SMC64 fast
/// calls of the standard service range, 0xC4000000 | fnum with fnum from 0x260 (../shared/spec/virtcca.md §8.3).
/// </summary>
public static class TmiFid
{
    public const ulong VersionReq = 0xC4000260;
    public const ulong MemInfoShow = 0xC4000261;
    public const ulong DataCreate = 0xC4000262;
    public const ulong DataDestroy = 0xC4000263;
    public const ulong CvmActivate = 0xC4000264;
    public const ulong CvmCreate = 0xC4000265;
    public const ulong CvmDestroy = 0xC4000266;
    public const ulong TecCreate = 0xC4000267;
    public const ulong TecDestroy = 0xC4000268;
    public const ulong TecEnter = 0xC4000269;
    public const ulong TttCreate = 0xC400026A;
    public const ulong PsciComplete = 0xC400026B;
    public const ulong Features = 0xC400026C;
    public const ulong TttMapRange = 0xC400026D;
    public const ulong TttUnmapRange = 0xC400026E;
    public const ulong InfTest = 0xC4000270;
    /// <summary>The device-assignment calls (secure SMMU queues and STEs, MMIO, device delegation): 0x277..0x285.</summary>
    public const ulong DeviceFirst = 0xC4000277, DeviceLast = 0xC4000285;

    /// <summary>The range the secure monitor routes to the TMM as TMI.</summary>
    public const ulong RangeFirst = 0xC4000260, RangeLast = 0xC40002AF;

    /// <summary>ABI 2.0 as VERSION_REQ returns it: major in bits [31:16]; KVM refuses any major but 2.</summary>
    public const ulong Version20 = 0x20000;

    public static bool InRange(ulong fid) => (fid & ~RmiFid.SveHint) is >= RangeFirst and <= RangeLast;

    /// <summary>CVM_CREATE's params address carries vtimer_adjust in bit 0 (the params page is 4 KiB aligned).</summary>
    public const ulong VtimerAdjust = 1;
}

/// <summary>TMI's status codes (kvm_tmi.h): X0 and X1 carry the status in bits [7:0] and an index in [15:8].</summary>
public enum TmiStatus : byte
{
    Success = 0,
    ErrorInput = 1,
    ErrorMemory = 2,
    ErrorAlias = 3,
    ErrorInUse = 4,
    ErrorCvmState = 5,
    ErrorOwner = 6,
    ErrorTec = 7,
    ErrorTttWalk = 8,
    ErrorTttEntry = 9,
    ErrorNotSupported = 10,
    ErrorInternal = 11,
    ErrorCvmPoweroff = 12,
    ErrorTttCreated = 13,
}
