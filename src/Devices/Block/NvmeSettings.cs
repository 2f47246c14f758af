using VirtCca.Interconnect;

namespace VirtCca.Devices.Block;

/// <summary>
/// An NVMe-like block device. Defaults: an Intel P4500 2 TB (TLC datacenter NVMe), from its
/// product specification as Lenovo's product guide lists it (costs.md §9.3): random read 85 µs and
/// write 20 µs access latency, 3.2 GB/s sequential read and 1.05 GB/s write, 490 k read and 38 k
/// write IOPS at 4 KiB.
/// </summary>
public sealed record NvmeSettings
{
    /// <summary>Commands the device works on at once; more wait in its submission queue. S: Linux nvme io_queue_depth default 1024.</summary>
    public int QueueDepth { get; init; } = 1024;

    public SimTime ReadLatency { get; init; } = SimTime.FromMicroseconds(85);
    public SimTime WriteLatency { get; init; } = SimTime.FromMicroseconds(20);

    /// <summary>Assumed: a flush costs one write latency.</summary>
    public SimTime FlushLatency { get; init; } = SimTime.FromMicroseconds(20);

    public long ReadBytesPerSecond { get; init; } = 3_200_000_000;
    public long WriteBytesPerSecond { get; init; } = 1_050_000_000;
    public long ReadIops { get; init; } = 490_000;
    public long WriteIops { get; init; } = 38_000;

    /// <summary>The device's SMMU stream (its StreamID) and whether it is in the secure stream table.</summary>
    public uint Stream { get; init; } = 1;
    public bool SecureStream { get; init; }

    public int SectorBytes { get; init; } = 512;

    /// <summary>
    /// Time a command holds its direction's transfer channel: its bytes at the sequential bandwidth,
    /// but never less than one operation at the rated IOPS (small random writes are bound by the
    /// flash's program rate, not by the link).
    /// </summary>
    public SimTime ChannelTime(bool read, long bytes)
    {
        long bw = read ? ReadBytesPerSecond : WriteBytesPerSecond, iops = read ? ReadIops : WriteIops;
        long byBytes = SimTime.Scale(bytes, 1_000_000_000_000, bw);
        long byOps = SimTime.Scale(1, 1_000_000_000_000, iops);
        return new SimTime(Math.Max(byBytes, byOps));
    }
}
