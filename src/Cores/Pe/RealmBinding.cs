namespace VirtCca.Cores.Pe;

/// <summary>
/// KVM's handle on the realm vCPU a PE runs: its realm's RD, the REC and run granules its REC_ENTER names, a protected
/// IPA of realm RAM for RSI_HOST_CALL's argument block (the guest's paravirtual calls), and the
/// realm's unprotected-IPA bit (2^(IPA width − 1)), which the guest sets in device addresses because a
/// realm maps MMIO as shared memory.
/// </summary>
public sealed record RealmBinding(ulong Rd, ulong Rec, ulong Run, ulong HostCallIpa, ulong UnprotectedIpaBit);
