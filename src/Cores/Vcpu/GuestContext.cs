using VirtCca.Devices.Gic;

namespace VirtCca.Cores.Vcpu;

/// <summary>PSCI view of a vCPU.</summary>
public enum PsciState { On, Off }

/// <summary>
/// The state of one vCPU that survives its exits (for a realm: what its REC holds): registers,
/// the list registers it last entered with, and KVM's virtual-interrupt bookkeeping for it.
/// </summary>
public sealed class GuestContext
{
    public readonly ulong[] X = new ulong[31];
    public PsciState Psci = PsciState.On;

    /// <summary>Virtual INTIDs pending for this vCPU in KVM's vGIC, not yet in a list register.</summary>
    public readonly SortedSet<int> PendingVirtual = new();

    /// <summary>The list registers of the last entry (ICH_LR_EL2 values as carried by REC_ENTER).</summary>
    public readonly ListRegister[] ListRegisters = new ListRegister[ListRegister.PerVcpu];
}
