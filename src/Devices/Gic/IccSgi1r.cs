namespace VirtCca.Devices.Gic;

/// <summary>
/// An ICC_SGI1R_EL1 write, decoded: INTID [27:24], TargetList [15:0] (bit n names Aff0 = RS × 16 + n),
/// Aff1 [23:16], Aff2 [39:32], Interrupt_Routing_Mode [40] (1: every PE but the sender),
/// RS [47:44], Aff3 [55:48].
/// </summary>
public readonly record struct IccSgi1r(int Intid, ushort TargetList, byte Aff1, byte Aff2, bool AllButSelf, byte RangeSelector, byte Aff3)
{
    public static IccSgi1r Decode(ulong value) => new(
        Intid: (int)(value >> 24 & 0xF),
        TargetList: (ushort)value,
        Aff1: (byte)(value >> 16),
        Aff2: (byte)(value >> 32),
        AllButSelf: (value >> 40 & 1) != 0,
        RangeSelector: (byte)(value >> 44 & 0xF),
        Aff3: (byte)(value >> 48));

    public ulong Encode() => (ulong)(Intid & 0xF) << 24 | TargetList | (ulong)Aff1 << 16 | (ulong)Aff2 << 32
        | (AllButSelf ? 1UL << 40 : 0) | (ulong)(RangeSelector & 0xF) << 44 | (ulong)Aff3 << 48;

    /// <summary>The affinities the TargetList names (IRM = 0), in ascending Aff0.</summary>
    public IEnumerable<Affinity> Targets()
    {
        for (int n = 0; n < 16; n++)
            if ((TargetList >> n & 1) != 0) yield return new Affinity(Aff3, Aff2, Aff1, (byte)(RangeSelector * 16 + n));
    }
}
