namespace VirtCca.Tmm.Abi;

/// <summary>RMI function ids of RMM v1.0 (§0.1): SMC64 fast calls, 0xC4000000 | fnum.</summary>
public static class RmiFid
{
    public const ulong Version = 0xC4000150;
    public const ulong GranuleDelegate = 0xC4000151;
    public const ulong GranuleUndelegate = 0xC4000152;
    public const ulong DataCreate = 0xC4000153;
    public const ulong DataCreateUnknown = 0xC4000154;
    public const ulong DataDestroy = 0xC4000155;
    public const ulong RealmActivate = 0xC4000157;
    public const ulong RealmCreate = 0xC4000158;
    public const ulong RealmDestroy = 0xC4000159;
    public const ulong RecCreate = 0xC400015A;
    public const ulong RecDestroy = 0xC400015B;
    public const ulong RecEnter = 0xC400015C;
    public const ulong RttCreate = 0xC400015D;
    public const ulong RttDestroy = 0xC400015E;
    public const ulong RttMapUnprotected = 0xC400015F;
    public const ulong RttReadEntry = 0xC4000161;
    public const ulong RttUnmapUnprotected = 0xC4000162;
    public const ulong PsciComplete = 0xC4000164;
    public const ulong Features = 0xC4000165;
    public const ulong RttFold = 0xC4000166;
    public const ulong RecAuxCount = 0xC4000167;
    public const ulong RttInitRipas = 0xC4000168;
    public const ulong RttSetRipas = 0xC4000169;

    /// <summary>The RMI range a TMM answers (RSI starts at 0x190).</summary>
    public const ulong RangeFirst = 0xC4000150, RangeLast = 0xC400018F;

    /// <summary>SMCCC v1.3 SVE hint bit, masked off before lookup.</summary>
    public const ulong SveHint = 1UL << 16;

    /// <summary>SMC_UNKNOWN (-1) in X0.</summary>
    public const ulong SmcUnknown = ulong.MaxValue;

    /// <summary>Version encoding (major &lt;&lt; 16) | minor; v1.0.</summary>
    public const ulong Version10 = 0x10000;
}
