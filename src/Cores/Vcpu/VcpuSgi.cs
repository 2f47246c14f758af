using VirtCca.Devices.Gic;

namespace VirtCca.Cores.Vcpu;

/// <summary>
/// A vCPU's SGI as the ICC_SGI1R_EL1 value the guest writes. A vCPU's affinity is its REC's MPIDR
/// (RMM v1.0 §2.3: Aff0[3:0] = index % 16, Aff1 = index / 16 % 256, Aff2 = index / 4096 % 256, Aff3 above).
/// </summary>
public static class VcpuSgi
{
    /// <summary>ESR_EL2.ISS of an MSR ICC_SGI1R_EL1 (Op0 3, Op1 0, CRn 12, CRm 11, Op2 5, write) from X0.</summary>
    public const ulong MsrIss = 3UL << 20 | 5UL << 17 | 0UL << 14 | 12UL << 10 | 11UL << 1;

    public static ulong Encode(int targetVcpu, int intid)
    {
        if (intid is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(intid), intid, "an SGI's INTID is 0..15");
        return new IccSgi1r(intid, (ushort)(1 << (targetVcpu & 0xF)), (byte)(targetVcpu >> 4), (byte)(targetVcpu >> 12), false, 0, (byte)(targetVcpu >> 20)).Encode();
    }

    /// <summary>The vCPUs a written value targets (IRM = 0: the target list), and the INTID.</summary>
    public static (IReadOnlyList<int> Targets, int Intid) Decode(ulong value)
    {
        var sgi = IccSgi1r.Decode(value);
        return (sgi.Targets().Select(a => a.Aff0 | a.Aff1 << 4 | a.Aff2 << 12 | a.Aff3 << 20).ToList(), sgi.Intid);
    }
}
