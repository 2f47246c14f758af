namespace VirtCca.Tmm.Abi;

/// <summary>The registers an SMC returns: X0 status (or SMC_UNKNOWN), X1..X4 outputs.</summary>
public readonly record struct SmcResult(ulong X0, ulong X1 = 0, ulong X2 = 0, ulong X3 = 0, ulong X4 = 0)
{
    public RmiStatus Status => (RmiStatus)(X0 & 0xFF);
    public int Index => (int)((X0 >> 8) & 0xFF);

    public static SmcResult Of(RmiStatus status, int index = 0, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0) =>
        new((ulong)status | ((ulong)(byte)index << 8), x1, x2, x3, x4);

    public static readonly SmcResult Success = Of(RmiStatus.Success);
    public static readonly SmcResult Input = Of(RmiStatus.ErrorInput);

    public override string ToString() => X0 == RmiFid.SmcUnknown ? "SMC_UNKNOWN" : $"{Status}[{Index}] X1={X1:X} X2={X2:X} X3={X3:X} X4={X4:X}";
}
