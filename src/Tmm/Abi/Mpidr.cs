namespace VirtCca.Tmm.Abi;

/// <summary>RmiRecMpidr (§2.3): a REC's MPIDR encodes its index as Aff0[3:0] = index % 16, Aff1 = index / 16 % 256, Aff2 = index / 4096 % 256, Aff3 above.</summary>
public static class Mpidr
{
    private const ulong Fields = 0xFFUL << 24 | 0xFFUL << 16 | 0xFFUL << 8 | 0xF;

    /// <summary>The REC index an MPIDR names, or -1 when bits outside Aff0[3:0], Aff1, Aff2, Aff3 are set.</summary>
    public static long IndexOf(ulong mpidr) =>
        (mpidr & ~Fields) != 0 ? -1
        : (long)((mpidr & 0xF) | (((mpidr >> 8) & 0xFF) << 4) | (((mpidr >> 16) & 0xFF) << 12) | (((mpidr >> 24) & 0xFF) << 20));

    public static ulong Of(int index) =>
        (uint)(index & 0xF) | ((ulong)(uint)((index >> 4) & 0xFF) << 8) | ((ulong)(uint)((index >> 12) & 0xFF) << 16) | ((ulong)(uint)((index >> 20) & 0xFF) << 24);
}
