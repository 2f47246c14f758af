using VirtCca.Devices.Protocol;

namespace VirtCca.Devices.Virtio.Driver;

/// <summary>A notification the driver wants sent: the MMIO write to the queue-notify register, with its notification data.</summary>
public readonly record struct DriverNotification(int Queue, uint Data)
{
    /// <summary>VIRTIO_F_NOTIFICATION_DATA for a split ring: vqn in [15:0], the next avail index in [31:16].</summary>
    public static DriverNotification For(DriverQueue q) => new(q.Index, (uint)q.Index | (uint)q.AvailIdx << 16);
}

/// <summary>A finished request (block) or a received packet (network, with its frame in <see cref="Data"/>).</summary>
public sealed record DriverCompletion(ulong Id, byte Status, uint Bytes, byte[]? Data = null);

/// <summary>
/// What one driver step did and what the PE must do about it: charge <see cref="Cycles"/> of guest
/// CPU; send every <see cref="Publications"/> entry to the backend (kind VirtioAvailPublished); then
/// perform each <see cref="Notifications"/> entry as the queue-notify MMIO write (an exit, which
/// KVM turns into VirtioNotify); hand <see cref="Completed"/> to the workload; if
/// <see cref="Repoll"/>, call the driver's poll again (NAPI stays in polling mode).
/// </summary>
public sealed record DriverStep(
    long Cycles,
    IReadOnlyList<AvailPublished> Publications,
    IReadOnlyList<DriverNotification> Notifications,
    IReadOnlyList<DriverCompletion> Completed,
    bool Repoll = false);

/// <summary>Collects one step's work.</summary>
internal sealed class StepBuilder
{
    private readonly List<AvailPublished> _publications = new();
    private readonly List<DriverNotification> _notifications = new();
    public long Cycles;
    public bool Repoll;
    public readonly List<DriverCompletion> Completed = new();

    /// <summary>kick_prepare after adds, then the queue's publication: the notify decision and what the device learns.</summary>
    public void Publish(DriverQueue q, bool kickCheck, long kickPrepareCycles, DriverCounters counters)
    {
        if (kickCheck)
        {
            Cycles += kickPrepareCycles;
            if (q.KickPrepare()) { _notifications.Add(DriverNotification.For(q)); counters.Notifications++; }
            else counters.NotificationsSuppressed++;
        }
        if (q.TakePublication() is { } p) _publications.Add(p);
    }

    public DriverStep Build() => new(Cycles, _publications, _notifications, Completed, Repoll);
}

/// <summary>What a driver counts: notifications sent and suppressed, interrupts taken, waits for ring space.</summary>
public sealed class DriverCounters
{
    public long Submitted { get; internal set; }
    public long Completed { get; internal set; }
    public long Notifications { get; internal set; }
    public long NotificationsSuppressed { get; internal set; }
    public long Interrupts { get; internal set; }
    public long Polls { get; internal set; }
    public long RingFullWaits { get; internal set; }
}
