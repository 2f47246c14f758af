namespace VirtCca.Devices.Virtio.Driver;

/// <summary>
/// Guest CPU work of the virtio drivers, in cycles at the guest's clock. The notification itself (an
/// MMIO write that exits) is not here: the PE charges that exit as its configuration does. Sources:
/// ../shared/spec/costs.md; "assumed" where costs.md has no figure (§9.1: exits and work per request
/// were not found), with the basis named.
/// </summary>
public sealed record VirtioDriverCosts
{
    /// <summary>Assumed: blk-mq + virtio_queue_rq per request, beyond descriptors and bounces. Basis: ≈ 4 µs guest CPU per 4 KiB I/O across all layers with swiotlb, costs.md §9.2.</summary>
    public long BlkSubmitCycles { get; init; } = 3_000;

    /// <summary>Assumed: virtblk_done's work per reaped request (get_buf, blk_mq_complete_request); same basis.</summary>
    public long BlkCompleteCycles { get; init; } = 1_500;

    /// <summary>Assumed: writing one 16-byte descriptor and its bookkeeping.</summary>
    public long DescriptorCycles { get; init; } = 40;

    /// <summary>Assumed: virtqueue_kick_prepare — a full barrier and a load of avail_event.</summary>
    public long KickPrepareCycles { get; init; } = 30;

    /// <summary>Guest interrupt entry, handler dispatch and EOI: guest.irq-handler 200 (assumed) + gic.veoi 70 (D, costs.md §8.1).</summary>
    public long InterruptCycles { get; init; } = 270;

    /// <summary>Assumed: start_xmit's driver work per packet (skb to descriptors), not the protocol stack.</summary>
    public long NetTxCycles { get; init; } = 1_000;

    /// <summary>Assumed: receive_buf per packet up to the hand-off to the stack.</summary>
    public long NetRxCycles { get; init; } = 1_200;

    /// <summary>Assumed: allocating and posting one receive buffer.</summary>
    public long RefillCycles { get; init; } = 150;

    /// <summary>S: NAPI_POLL_WEIGHT (include/linux/netdevice.h), virtio-net's NAPI budget.</summary>
    public int NapiBudget { get; init; } = 64;
}
