namespace VirtCca.Cores.Vcpu;

/// <summary>
/// ICC_SGI1R_EL1, the register a guest writes to send an SGI: INTID [27:24], TargetList [15:0] (Aff0
/// values 0..15), Aff1 [23:16], Aff2 [39:32], Aff3 [55:48]. A vCPU's affinity is its REC's MPIDR
/// (RMM v1.0 §2.3: Aff0[3:0] = index % 16, Aff1 = index / 16 % 256, ...).
/// </summary>
public static class IccSgi1r
{
    /// <summary>ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 (Op0 3, Op1 0, CRn 12, CRm 11, Op2 5, write) from X0.</summary>
    public const ulong MsrIss = 3UL << 20 | 5UL << 17 | 0UL << 14 | 12UL << 10 | 11UL << 1;

    public static ulong Encode(int targetIndex, int intid)
    {
        if (intid is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(intid), intid, "an SGI's INTID is 0..15");
        ulong t = (ulong)targetIndex;
        return (ulong)intid << 24 | 1UL << (int)(t & 0xF) | (t >> 4 & 0xFF) << 16 | (t >> 12 & 0xFF) << 32 | (t >> 20 & 0xFF) << 48;
    }

    /// <summary>The vCPU indices a written value targets (IRM = 0: the target list), and the INTID.</summary>
    public static (IReadOnlyList<int> Targets, int Intid) Decode(ulong value)
    {
        int baseIndex = (int)((value >> 16 & 0xFF) << 4 | (value >> 32 & 0xFF) << 12 | (value >> 48 & 0xFF) << 20);
        var targets = new List<int>();
        for (int aff0 = 0; aff0 < 16; aff0++)
            if ((value >> aff0 & 1) != 0) targets.Add(baseIndex | aff0);
        return (targets, (int)(value >> 24 & 0xF));
    }
}
