namespace VirtCca.Devices.Virtio.Backend;

/// <summary>
/// Where a device's host side runs. <see cref="Vhost"/>: in the host kernel (vhost-net / vhost-blk),
/// woken through an ioeventfd; the guest's notify exit is handled inside KVM (the PE should charge
/// kvm.mmio-kernel-rt, or its cVM counterpart). <see cref="User"/>: in the VMM (QEMU), which the
/// notify reaches by a return to user space (the PE should charge kvm.mmio-user-rt), with QEMU's
/// heavier per-request work and a system call for each completion signal.
/// </summary>
public enum BackendMode { Vhost, User }

/// <summary>
/// The host thread's work, in cycles at the host clock. Sources: ../shared/spec/costs.md; "assumed"
/// where it has no figure, with the basis named.
/// </summary>
public sealed record BackendCosts
{
    /// <summary>Waking the sleeping thread on another core. Assumed ≈ kvm.vipi_e2e 4,400 (an IPI and a schedule, costs.md §8.1).</summary>
    public long WakeCycles { get; init; }

    /// <summary>Taking one notification (vhost: the ioeventfd's poll callback; user: the extra cost of the exit going out to the VMM).</summary>
    public long NotifyCycles { get; init; }

    /// <summary>Per block request: parse the chain and submit it to the device.</summary>
    public long BlkSubmitCycles { get; init; }

    /// <summary>Per block request: its completion, status and used entry.</summary>
    public long BlkCompleteCycles { get; init; }

    /// <summary>Per transmitted packet, besides its copy.</summary>
    public long NetTxCycles { get; init; }

    /// <summary>Per received packet, besides its copy.</summary>
    public long NetRxCycles { get; init; }

    /// <summary>Copying packet bytes between guest memory and host buffers: mem.copy_per_byte 0.26, assumed (costs.md §8.3).</summary>
    public double CopyPerByteCycles { get; init; } = 0.26;

    /// <summary>Raising the completion interrupt (an irqfd signal: in-kernel eventfd_signal, or a write system call from the VMM).</summary>
    public long SignalCycles { get; init; }

    /// <summary>vhost: in-kernel worker.</summary>
    public static BackendCosts Vhost { get; } = new()
    {
        WakeCycles = 4_400,          // assumed ≈ kvm.vipi_e2e (costs.md §8.1)
        NotifyCycles = 300,          // assumed: eventfd read + poll wake-up callback
        BlkSubmitCycles = 1_430,     // assumed: half of vhost-net's 1.1 µs TX per packet (costs.md §9.1)
        BlkCompleteCycles = 1_430,   // assumed: the other half
        NetTxCycles = 2_860,         // D: vhost-net ≈ 1.1 µs per TX packet at 2.6 GHz (costs.md §9.1)
        NetRxCycles = 1_820,         // D: vhost-net ≈ 0.7 µs per RX packet (costs.md §9.1)
        SignalCycles = 500,          // assumed: eventfd_signal → irqfd injection
    };

    /// <summary>user: QEMU's virtio devices.</summary>
    public static BackendCosts User { get; } = new()
    {
        WakeCycles = 4_400,          // assumed, as vhost
        NotifyCycles = 4_340,        // D: kvm.user_exit_extra, mmio_read_user − mmio_read_vgic on Kunpeng (costs.md §1.3)
        BlkSubmitCycles = 22_620,    // D: QEMU virtio-blk 57.5 k IOPS at QD128 (vhost-blk RFC, costs.md §9.1) = 17.4 µs per request on a saturated thread; half each way, assumed
        BlkCompleteCycles = 22_620,
        NetTxCycles = 5_720,         // assumed: twice vhost-net's (no figure for QEMU's virtio-net)
        NetRxCycles = 3_640,         // assumed: twice vhost-net's
        SignalCycles = 1_000,        // assumed: a write(2) to the irqfd from user space
    };

    public static BackendCosts For(BackendMode mode) => mode == BackendMode.User ? User : Vhost;
}

/// <summary>A backend's settings (what HOCON says about it).</summary>
public sealed record BackendSettings
{
    public BackendMode Mode { get; init; } = BackendMode.Vhost;

    /// <summary>Null: the mode's defaults.</summary>
    public BackendCosts? Costs { get; init; }

    /// <summary>VIRTIO_RING_F_EVENT_IDX negotiated (Linux and vhost offer it; off: the NO_NOTIFY / NO_INTERRUPT flags).</summary>
    public bool EventIdx { get; init; } = true;

    /// <summary>Where the host thread runs: a dedicated core at the platform clock (default) or a PE.</summary>
    public HostCpu HostCpu { get; init; } = new();

    /// <summary>
    /// virtio-net: received frames held while the guest has no buffers posted; more are dropped (and
    /// counted). S: the tap device's queue, TUN_READQ_SIZE = 500 (include/uapi/linux/if_tun.h).
    /// </summary>
    public int RxBacklog { get; init; } = 500;

    /// <summary>
    /// virtio-blk: the SMMU stream the block device's DMA for this queue uses (its own, as an SR-IOV
    /// VF's would be), whose stage 2 maps what the guest lets the device reach; null: the device's own.
    /// </summary>
    public uint? DmaStream { get; init; }

    public BackendCosts EffectiveCosts => Costs ?? BackendCosts.For(Mode);
}

/// <summary>
/// A backend's place in the topology: the component that holds the guest's driver (it gets
/// UsedPublished), the component that takes the completion interrupt (KVM's irqfd → vGIC path) and
/// the virtual INTID of queue 0 (queue q raises <see cref="Intid"/> + q, one vector per queue as with
/// MSI-X), and the hardware below (the block device or the NIC).
/// </summary>
public sealed record BackendWiring(int DriverSide, int InterruptTarget, int Intid, int Hardware);
