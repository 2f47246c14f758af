using Google.Protobuf;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Virtio.Backend;

/// <summary>What every backend counts.</summary>
public sealed class BackendCounters
{
    public long Notifications { get; internal set; }
    /// <summary>Notifications that found the queue already being served (event index would have suppressed them).</summary>
    public long NotificationsWhileBusy { get; internal set; }
    /// <summary>Entries the driver published without a kick while it had not yet seen notifications re-enabled (see <see cref="DeviceQueue.OnDriverPublished"/>).</summary>
    public long LateRechecks { get; internal set; }
    public long Interrupts { get; internal set; }
    public long LateInterrupts { get; internal set; }
    public long Requests { get; internal set; }
    /// <summary>Requests completed with an error status (a refused DMA, a malformed chain, an unmapped buffer).</summary>
    public long Errors { get; internal set; }
    public string LastError { get; internal set; } = "";
}

/// <summary>
/// The host side of one virtio device as a kernel component. It takes the guest's notifications
/// (<see cref="DeviceKinds.VirtioNotify"/>) and publications (<see cref="DeviceKinds.VirtioAvailPublished"/>),
/// serves queues on its <see cref="HostThread"/>, reads and writes the rings through the device's
/// view of guest memory, publishes its side (<see cref="DeviceKinds.VirtioUsedPublished"/> to the
/// driver side) and raises completion interrupts (<see cref="DeviceKinds.VirtioInterrupt"/>, the
/// virtual INTID, to the interrupt target) when the driver's suppression allows. Subclasses move
/// the data and talk to the hardware below.
/// </summary>
public abstract class VirtioBackend : Component
{
    protected VirtioBackend(BackendSettings settings, BackendWiring wiring, IGuestMemory memory, IReadOnlyList<SplitRingLayout> queues)
    {
        Settings = settings; Wiring = wiring; Memory = memory;
        Costs = settings.EffectiveCosts;
        Queues = queues.Select((l, i) => new DeviceQueue(i, l, memory, settings.EventIdx)).ToArray();
        Thread = new HostThread(settings.HostCpu, Costs.WakeCycles);
    }

    public BackendSettings Settings { get; }
    public BackendWiring Wiring { get; }
    public BackendCosts Costs { get; }
    public IGuestMemory Memory { get; }
    public DeviceQueue[] Queues { get; }
    public HostThread Thread { get; }
    public BackendCounters Counters { get; } = new();

    public sealed override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case DeviceKinds.VirtioNotify:
                OnNotify(ctx, Queue((int)(ev.Arg & 0xFFFF)), (ushort)((ulong)ev.Arg >> 16));
                break;
            case DeviceKinds.VirtioAvailPublished:
                OnDriverPublished(ctx, ev.PayloadAs<AvailPublished>());
                break;
            case HostThread.KindServiceDone:
            case DeviceKinds.HostWorkDone:
                Thread.OnServiceDone(ctx);
                break;
            default:
                HandleHardware(ev, ctx);
                break;
        }
    }

    /// <summary>Events from the hardware below.</summary>
    protected abstract void HandleHardware(in SimEvent ev, ISimContext ctx);

    /// <summary>Start serving <paramref name="q"/> (its notifications are off now); the first job pays the notification's cost when <paramref name="kicked"/>.</summary>
    protected abstract void Serve(ISimContext ctx, DeviceQueue q, bool kicked);

    private DeviceQueue Queue(int index) =>
        (uint)index < (uint)Queues.Length ? Queues[index] : throw new InvalidOperationException($"{GetType().Name}: notification for queue {index}, which the device does not have");

    private void OnNotify(ISimContext ctx, DeviceQueue q, ushort nextAvail)
    {
        Counters.Notifications++;
        q.OnNotify(nextAvail);
        if (!q.NotifyEnabled) { Counters.NotificationsWhileBusy++; return; }
        StopNotifications(ctx, q);
        Serve(ctx, q, kicked: true);
    }

    private void OnDriverPublished(ISimContext ctx, AvailPublished p)
    {
        var q = Queue((int)p.Queue);
        if (q.OnDriverPublished(p))
        {
            Counters.LateRechecks++;
            StopNotifications(ctx, q);
            Serve(ctx, q, kicked: false);
        }
        if (q.LateSignal(p)) { Counters.LateInterrupts++; PostSignal(ctx, q); }
    }

    private void StopNotifications(ISimContext ctx, DeviceQueue q)
    {
        if (q.DisableNotify()) Publish(ctx, q);
    }

    /// <summary>Writes used entries for a finished request (or a packet's buffers), publishes them, and signals if the driver wants it.</summary>
    protected void Complete(ISimContext ctx, DeviceQueue q, IEnumerable<(ushort Head, uint Len)> used)
    {
        foreach (var (head, len) in used) q.PushUsed(head, len);
        Publish(ctx, q);
        if (q.NeedSignal()) PostSignal(ctx, q);
    }

    protected void Publish(ISimContext ctx, DeviceQueue q) =>
        ctx.Send(Wiring.DriverSide, DeviceKinds.VirtioUsedPublished, q.Index, q.Publication());

    /// <summary>The queue ran dry: notifications back on, published; true if entries slipped in meanwhile (then it is served on).</summary>
    protected bool RunDry(ISimContext ctx, DeviceQueue q)
    {
        bool slipped = q.EnableNotify();
        if (slipped) q.DisableNotify();
        Publish(ctx, q);
        return slipped;
    }

    /// <summary>
    /// The signal is the thread's next job: vhost signals right after writing the used ring. Each
    /// queue has its own vector (as MSI-X gives virtio-pci): queue q raises INTID + q.
    /// </summary>
    private void PostSignal(ISimContext ctx, DeviceQueue q) =>
        Thread.PostFirst(ctx, _ => (Costs.SignalCycles, c =>
        {
            Counters.Interrupts++;
            c.Send(Wiring.InterruptTarget, DeviceKinds.VirtioInterrupt, Wiring.Intid + q.Index);
        }));

    protected long CopyCycles(long bytes) => (long)Math.Round(bytes * Costs.CopyPerByteCycles, MidpointRounding.ToEven);

    protected void Error(string what)
    {
        Counters.Errors++;
        Counters.LastError = what;
    }
}
