namespace VirtCca.Cores.Vcpu;

/// <summary>
/// A vCPU's MPIDR as its REC carries it (RmiRecMpidr, RMM v1.0 §2.3: Aff0[3:0] = index % 16,
/// Aff1[15:8], Aff2[23:16], Aff3[31:24]), and back. A normal VM's vCPUs use the same numbering.
/// </summary>
public static class VcpuMpidr
{
    public static ulong Of(int index)
    {
        uint i = (uint)index;
        return (i & 0xF) | ((i >> 4) & 0xFF) << 8 | ((i >> 12) & 0xFF) << 16 | (ulong)((i >> 20) & 0xFF) << 24;
    }

    public static int IndexOf(ulong mpidr) =>
        (int)(mpidr & 0xF) | (int)((mpidr >> 8) & 0xFF) << 4 | (int)((mpidr >> 16) & 0xFF) << 12 | (int)((mpidr >> 24) & 0xFF) << 20;
}
