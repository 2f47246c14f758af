namespace VirtCca.Tmm.Abi;

/// <summary>RSI function ids (§0.2) and RsiCommandReturnCode (§1.2).</summary>
public static class RsiFid
{
    public const ulong Version = 0xC4000190;
    public const ulong Features = 0xC4000191;
    public const ulong MeasurementRead = 0xC4000192;
    public const ulong MeasurementExtend = 0xC4000193;
    public const ulong AttestationTokenInit = 0xC4000194;
    public const ulong AttestationTokenContinue = 0xC4000195;
    public const ulong RealmConfig = 0xC4000196;
    public const ulong IpaStateSet = 0xC4000197;
    public const ulong IpaStateGet = 0xC4000198;
    public const ulong HostCall = 0xC4000199;

    public const ulong Success = 0, ErrorInput = 1, ErrorState = 2, Incomplete = 3, ErrorUnknown = 4;
}
