using VirtCca.Devices.Load;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Network;

/// <summary>
/// A machine's software bridge (Linux bridge or OVS) between its NIC and its guests' virtio-net
/// backends. A frame from the NIC goes to the station it is addressed to; a station with several
/// queue pairs (virtio-net multiqueue: one vhost device, and one tap queue, per pair) gets it on the
/// queue its flow hashes to, as a multiqueue tap steers by flow — here the flow is the source station
/// and, for request/response traffic, the connection. A frame a backend sends goes to the NIC, or
/// straight to another local station. The bridge's CPU work is part of the backends' per-packet
/// costs; its links carry the hand-offs. Frames for no station here are dropped (counted).
/// </summary>
public sealed class BridgeActor(int nic, IReadOnlyDictionary<int, IReadOnlyList<int>> stations) : Component
{
    public long FramesIn { get; private set; }
    public long FramesOut { get; private set; }
    public long FramesLocal { get; private set; }
    public long FramesDropped { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case DeviceKinds.NicReceive:
                FramesIn++;
                Deliver(ctx, ev.PayloadAs<NetPacket>(), ev.Payload);
                break;
            case DeviceKinds.NicTransmit:
            {
                var packet = ev.PayloadAs<NetPacket>();
                if (stations.ContainsKey(Ethernet.Destination(packet.Frame.Span)))
                {
                    FramesLocal++;
                    Deliver(ctx, packet, ev.Payload);
                    break;
                }
                FramesOut++;
                ctx.Send(nic, DeviceKinds.NicTransmit, payload: ev.Payload);
                break;
            }
            default:
                throw new InvalidOperationException($"BridgeActor got event kind {ev.Kind}");
        }
    }

    private void Deliver(ISimContext ctx, NetPacket packet, object? payload)
    {
        var frame = packet.Frame.Span;
        if (!stations.TryGetValue(Ethernet.Destination(frame), out var queues) || queues.Count == 0) { FramesDropped++; return; }
        ctx.Send(queues[QueueOf(frame, queues.Count)], DeviceKinds.NicReceive, payload: payload);
    }

    /// <summary>The queue pair a frame's flow lands on: a fixed hash of its source station and (request/response traffic) its connection.</summary>
    public static int QueueOf(ReadOnlySpan<byte> frame, int queues)
    {
        if (queues == 1) return 0;
        uint connection = frame.Length > Ethernet.HeaderBytes && AppMessage.Decode(frame[Ethernet.HeaderBytes..]) is { } m ? m.Connection : 0;
        ulong h = ((ulong)(uint)Ethernet.Source(frame) << 32 | connection) * 0x9E3779B97F4A7C15UL;
        return (int)((h >> 32) % (ulong)queues);
    }
}
