using VirtCca.Cores.Io;
using VirtCca.Devices.Load;
using VirtCca.Devices.Virtio.Backend;

namespace VirtCca.Launcher.Composition.Io;

/// <summary>
/// A machine's I/O metrics (only when a guest has a device): machine totals under <c>io.</c> and per
/// guest under <c>guest.NAME.io.</c>. Every value adds up over nodes; latencies are histograms
/// (percentiles are derived once summed, see Results/MetricDerivation), and each guest's span
/// (<c>first_ps</c>, <c>last_ps</c>) comes only from the node that ran it.
/// </summary>
public static class IoMetricsReport
{
    public static void Add(Action<string, double> add, Machine machine)
    {
        if (machine.Spec.Guests.All(g => g.Devices.Count == 0)) return;
        var run = machine.IoRun;
        var guests = run?.Guests ?? [];
        var live = guests.Where(g => g != null).Select(g => g!).ToArray();
        var backends = run?.Backends.SelectMany(g => g).SelectMany(d => d).Where(b => b != null).Select(b => b!).ToArray() ?? [];
        long Sum(Func<IoMetrics, long> f) => live.Sum(g => f(g.Metrics));
        long Drivers(Func<Devices.Virtio.Driver.DriverCounters, long> f) => live.SelectMany(g => g.Devices).SelectMany(d => d.Queues).Sum(q => q.Counters is { } c ? f(c) : 0);
        long Pools(Func<Devices.Virtio.Swiotlb.SwiotlbPool, long> f) => live.Sum(g => g.Swiotlb is { } p ? f(p) : 0);
        long Backends(Func<BackendCounters, long> f) => backends.Sum(b => f(b.Counters));

        add("io.blk.requests", Sum(m => m.BlkRequests));
        add("io.blk.bytes", Sum(m => m.BlkBytes));
        add("io.blk.errors", Sum(m => m.BlkErrors));
        add("io.net.tx_packets", Sum(m => m.NetTxPackets));
        add("io.net.rx_packets", Sum(m => m.NetRxPackets));
        add("io.net.tx_bytes", Sum(m => m.NetTxBytes));
        add("io.net.rx_bytes", Sum(m => m.NetRxBytes));
        add("io.served", Sum(m => m.Served));
        add("io.notifications", Drivers(c => c.Notifications));
        add("io.notifications_suppressed", Drivers(c => c.NotificationsSuppressed));
        add("io.driver_interrupts", Drivers(c => c.Interrupts));
        add("io.wake_ipis", Sum(m => m.WakeIpis));
        add("io.swiotlb.bytes_bounced", Pools(p => p.BytesBounced));
        add("io.swiotlb.copies", Pools(p => p.Copies));
        add("io.swiotlb.slot_waits", Pools(p => p.SlotWaits));
        add("io.swiotlb.map_failures", Pools(p => p.MapFailures));
        add("io.backend.notifications", Backends(c => c.Notifications));
        add("io.backend.notifications_while_busy", Backends(c => c.NotificationsWhileBusy));
        add("io.backend.late_rechecks", Backends(c => c.LateRechecks));
        add("io.backend.interrupts", Backends(c => c.Interrupts));
        add("io.backend.late_interrupts", Backends(c => c.LateInterrupts));
        add("io.backend.requests", Backends(c => c.Requests));
        add("io.backend.errors", Backends(c => c.Errors));
        add("io.backend.thread_wakeups", backends.Sum(b => b.Thread.Wakeups));
        add("io.backend.thread_busy_ps", backends.Sum(b => (double)Interconnect.SimTime.FromCycles(b.Thread.BusyCycles, b.Settings.HostCpu.FrequencyHz).Picoseconds));
        add("io.backend.rx_dropped", backends.OfType<NetBackend>().Sum(b => b.RxDropped));
        add("io.irqfd.injected", run?.Irqfd?.Injected ?? 0);
        add("io.irqfd.kicks", run?.Irqfd?.Kicks ?? 0);
        if (machine.IoParts.NvmeId >= 0)
        {
            var nvme = run?.Nvme;
            add("io.nvme.reads", nvme?.Reads ?? 0);
            add("io.nvme.writes", nvme?.Writes ?? 0);
            add("io.nvme.bytes_read", nvme?.BytesRead ?? 0);
            add("io.nvme.bytes_written", nvme?.BytesWritten ?? 0);
            add("io.nvme.queue_waits", nvme?.QueueWaits ?? 0);
            add("io.nvme.refused_dma", nvme?.RefusedDmaCommands ?? 0);
        }
        if (machine.IoParts.BridgeId >= 0)
        {
            add("io.bridge.frames_in", run?.Bridge?.FramesIn ?? 0);
            add("io.bridge.frames_out", run?.Bridge?.FramesOut ?? 0);
            add("io.bridge.frames_local", run?.Bridge?.FramesLocal ?? 0);
            add("io.bridge.frames_dropped", run?.Bridge?.FramesDropped ?? 0);
        }
        Histogram(add, "io.wake.halted", live.Select(g => g.Metrics.WakeHalted));
        Histogram(add, "io.wake.running", live.Select(g => g.Metrics.WakeRunning));
        Histogram(add, "io.blk.latency", live.Select(g => g.Metrics.BlkLatency));

        for (int g = 0; g < machine.Spec.Guests.Count; g++)
        {
            if (machine.Spec.Guests[g].Devices.Count == 0) continue;
            var io = guests.ElementAtOrDefault(g);
            var m = io?.Metrics ?? new IoMetrics();
            string n = $"guest.{machine.Spec.Guests[g].Name}.io.";
            add(n + "requests", m.BlkRequests);
            add(n + "bytes", m.BlkBytes);
            add(n + "errors", m.BlkErrors);
            add(n + "tx_bytes", m.NetTxBytes);
            add(n + "rx_bytes", m.NetRxBytes);
            add(n + "rx_packets", m.NetRxPackets);
            add(n + "served", m.Served);
            add(n + "first_ps", Math.Max(0, m.FirstPs));
            add(n + "last_ps", Math.Max(0, m.LastPs));
            add(n + "swiotlb.bytes_bounced", io?.Swiotlb?.BytesBounced ?? 0);
            add(n + "swiotlb.copies", io?.Swiotlb?.Copies ?? 0);
            add(n + "swiotlb.slot_waits", io?.Swiotlb?.SlotWaits ?? 0);
            Histogram(add, n + "blk.latency", [m.BlkLatency]);
            Histogram(add, n + "wake.halted", [m.WakeHalted]);
            Histogram(add, n + "wake.running", [m.WakeRunning]);
        }
    }

    private static void Histogram(Action<string, double> add, string prefix, IEnumerable<LatencyHistogram> parts)
    {
        var h = new LatencyHistogram();
        foreach (var p in parts) h.Add(p);
        foreach (var (k, v) in h.ToMetrics(prefix)) add(k, v);
    }
}
