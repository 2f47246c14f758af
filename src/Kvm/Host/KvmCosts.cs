namespace VirtCca.Kvm.Host;

/// <summary>
/// What KVM's host work costs, in cycles at NS-EL2 (../shared/spec/costs.md §8.1). Each exit handler
/// costs its measured round trip minus the guest trap, which the exit's own leg already charged, so a
/// normal VM's exit costs exactly its costs.md row.
/// </summary>
public sealed record KvmCosts
{
    /// <summary>`kvm.hvc_rt` (D): a trap to KVM and back with a null handler (Kunpeng hvc 408 ns).</summary>
    public long HvcRoundTrip { get; init; } = 1_060;
    /// <summary>`tmm.guest_trap` (D): the exception entry alone, half of `kvm.hvc_rt`.</summary>
    public long GuestTrap { get; init; } = 530;
    /// <summary>`kvm.mmio_kernel_rt` (D): an access KVM emulates in the kernel (mmio_read_vgic 638 ns).</summary>
    public long MmioKernelRoundTrip { get; init; } = 1_660;
    /// <summary>`kvm.mmio_user_rt` (D): an exit up to the VMM and back (mmio_read_user 2,306 ns).</summary>
    public long MmioUserRoundTrip { get; init; } = 6_000;
    /// <summary>`kvm.ctx_switch` (assumed, 2 µs): the host scheduler switching a CPU from one vCPU thread to another.</summary>
    public long ContextSwitch { get; init; } = 5_200;
    /// <summary>`kvm.s2_fault` (assumed, 1 µs): KVM's stage-2 fault handling for a RAM page (memslot lookup, page, map).</summary>
    public long Stage2Fault { get; init; } = 2_600;

    /// <summary>KVM's part of a null exit: the round trip minus the trap.</summary>
    public long NullExit => HvcRoundTrip - GuestTrap;
    public long MmioKernel => MmioKernelRoundTrip - GuestTrap;
    public long MmioUser => MmioUserRoundTrip - GuestTrap;
}
