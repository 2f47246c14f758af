namespace VirtCca.SecureMonitor;

/// <summary>Where the EL3 monitor sends an SMC, by SMCCC function-id range.</summary>
public enum SmcTarget { Tmm, PsciFirmware, Unknown }

/// <summary>SMC dispatch at EL3: the RMI/RSI range to the TMM, PSCI to the firmware, anything else SMC_UNKNOWN.</summary>
public static class SmcRouter
{
    public const ulong SmcUnknown = ulong.MaxValue;

    /// <summary>RMI (0x150..0x18F) and RSI (0x190..0x1AF) of the standard secure service range, SMC64.</summary>
    public const ulong TmmFirst = 0xC4000150, TmmLast = 0xC40001AF;
    /// <summary>virtCCA's TMI (0x260..0x2AF of the same range, ABI 2), which its TMM answers instead of RMI.</summary>
    public const ulong TmiFirst = 0xC4000260, TmiLast = 0xC40002AF;

    public static SmcTarget Route(ulong fid)
    {
        ulong f = fid & ~(1UL << 16); // SMCCC v1.3 SVE hint
        if (f is >= TmmFirst and <= TmmLast or >= TmiFirst and <= TmiLast) return SmcTarget.Tmm;
        if (f is >= 0x84000000 and <= 0x8400001F or >= 0xC4000000 and <= 0xC400001F) return SmcTarget.PsciFirmware;
        return SmcTarget.Unknown;
    }
}
