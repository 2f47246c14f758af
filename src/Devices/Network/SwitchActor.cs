using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Network;

/// <summary>
/// A store-and-forward Ethernet switch as a kernel component. A frame is whole when its event
/// arrives (the sender's serialisation and the link are behind it); after the forwarding latency it
/// queues on the output port of its destination address and is serialised at the port's rate.
/// Frames for an unknown address are dropped (counted). <paramref name="ports"/>: station address →
/// the component (a NIC) on that port.
/// </summary>
public sealed class SwitchActor(SwitchSettings settings, IReadOnlyDictionary<int, int> ports) : Component
{
    private readonly Dictionary<int, SimTime> _portFree = new();

    public long FramesForwarded { get; private set; }
    public long FramesDropped { get; private set; }
    /// <summary>Longest time a frame waited for its output port (beyond the forwarding latency).</summary>
    public SimTime MaxQueueing { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != DeviceKinds.WireFrame) throw new InvalidOperationException($"SwitchActor got event kind {ev.Kind}");
        var frame = ev.PayloadAs<WireFrame>();
        int destination = Ethernet.Destination(frame.Data.Span);
        if (!ports.TryGetValue(destination, out int port)) { FramesDropped++; return; }
        var ready = ctx.Now + settings.ForwardingLatency;
        var free = _portFree.GetValueOrDefault(destination);
        var start = free > ready ? free : ready;
        if (start - ready > MaxQueueing) MaxQueueing = start - ready;
        var done = start + Ethernet.Serialisation(Ethernet.WireBytes(frame.Data.Length), settings.PortBitsPerSecond);
        _portFree[destination] = done;
        FramesForwarded++;
        ctx.Send(port, DeviceKinds.WireFrame, payload: ev.Payload, extraDelay: done - ctx.Now);
    }
}
