using VirtCca.Devices.Load;

namespace VirtCca.Cores.Io;

/// <summary>
/// What a guest's I/O did, as counters and latency histograms that add up over nodes. Block requests
/// count from submit (the driver's step starts) to the completion the waiting operation sees; the
/// wake-up latency from the moment KVM's irqfd made the interrupt pending to the guest's handler
/// starting (through the host scheduler, the entry and, for a realm, REC_ENTER), split by whether
/// the vCPU was asleep (WFI) or running (kicked out with an IRQ exit).
/// </summary>
public sealed class IoMetrics
{
    public long BlkRequests, BlkBytes, BlkErrors, NetTxPackets, NetTxBytes, NetRxPackets, NetRxBytes, Served, WakeIpis;
    /// <summary>Simulated times (ps) of the first request (or packet) and of the last completion (or packet), for throughput; -1: none.</summary>
    public long FirstPs = -1, LastPs = -1;
    public LatencyHistogram BlkLatency { get; } = new();
    public LatencyHistogram WakeHalted { get; } = new();
    public LatencyHistogram WakeRunning { get; } = new();

    public void Began(long ps) { if (FirstPs < 0) FirstPs = ps; }
    public void Ended(long ps) => LastPs = ps;
}
