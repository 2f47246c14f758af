namespace VirtCca.Cores.Vcpu;

/// <summary>
/// The architectural state of one vCPU that survives its exits (for a realm: what its REC holds): the
/// general-purpose registers and the virtual CPU interface's list registers (ICH_LR_EL2, as encoded)
/// loaded on the last entry.
/// </summary>
public sealed class GuestContext
{
    public const int ListRegisterCount = 16;

    public readonly ulong[] X = new ulong[31];
    public readonly ulong[] ListRegisters = new ulong[ListRegisterCount];
}
