namespace VirtCca.Cores.Vcpu;

/// <summary>
/// The stage-2 translation the PE's MMU walks for a vCPU's memory accesses: KVM's table for a normal
/// VM, the TMM's RTT for a realm. It gives the physical address and whether the access is a secure
/// one (realm memory lives in the secure pool); false means a stage-2 fault, which traps as the
/// hardware would.
/// </summary>
public interface IStage2
{
    bool TryTranslate(ulong ipa, out ulong pa, out bool secure);
}
