using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Network;

/// <summary>
/// A NIC as a kernel component between its host side (a virtio-net backend, a load generator or a
/// responder: <see cref="DeviceKinds.NicTransmit"/> in, <see cref="DeviceKinds.NicReceive"/> out)
/// and its link (a switch, or another NIC back to back: <see cref="DeviceKinds.WireFrame"/>). A
/// packet longer than the MTU is cut into frames, each carrying the header; frames leave one after
/// another at the link's rate. Received frames are put back together and the packet handed up when
/// its last frame is in; frames for another address are dropped (counted).
/// </summary>
public sealed class NicActor(NicSettings settings, int host, int link) : Component
{
    private readonly Dictionary<(int Source, ulong Packet), List<byte[]>> _partial = new();
    private SimTime _txFree;
    private ulong _nextPacket;

    public NicSettings Settings { get; } = settings;
    public long PacketsSent { get; private set; }
    public long FramesSent { get; private set; }
    public long BytesSent { get; private set; }
    public long PacketsReceived { get; private set; }
    public long FramesDropped { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case DeviceKinds.NicTransmit: Transmit(ctx, ev.PayloadAs<NetPacket>().Frame.Span); break;
            case DeviceKinds.WireFrame: Receive(ctx, ev.PayloadAs<WireFrame>()); break;
            default: throw new InvalidOperationException($"NicActor got event kind {ev.Kind}");
        }
    }

    private void Transmit(ISimContext ctx, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < Ethernet.HeaderBytes) throw new InvalidOperationException($"NIC {Settings.Address}: a {frame.Length}-byte frame has no Ethernet header");
        var header = frame[..Ethernet.HeaderBytes];
        var payload = frame[Ethernet.HeaderBytes..];
        int count = Math.Max(1, (payload.Length + Settings.Mtu - 1) / Settings.Mtu);
        ulong packet = _nextPacket++;
        for (int i = 0; i < count; i++)
        {
            var chunk = payload.Slice(i * Settings.Mtu, Math.Min(Settings.Mtu, payload.Length - i * Settings.Mtu));
            var data = new byte[Ethernet.HeaderBytes + chunk.Length];
            header.CopyTo(data);
            chunk.CopyTo(data.AsSpan(Ethernet.HeaderBytes));
            var start = _txFree > ctx.Now ? _txFree : ctx.Now;
            _txFree = start + Ethernet.Serialisation(Ethernet.WireBytes(data.Length), Settings.BitsPerSecond);
            var wire = new WireFrame { Packet = packet, Index = (uint)i, Count = (uint)count, Data = ByteString.CopyFrom(data) };
            ctx.Send(link, DeviceKinds.WireFrame, payload: wire, extraDelay: _txFree - ctx.Now);
            FramesSent++;
            BytesSent += data.Length;
        }
        PacketsSent++;
    }

    private void Receive(ISimContext ctx, WireFrame f)
    {
        var data = f.Data.ToByteArray();
        if (!Settings.Accepts(Ethernet.Destination(data))) { FramesDropped++; return; }
        var key = (Ethernet.Source(data), f.Packet);
        if (!_partial.TryGetValue(key, out var parts)) _partial[key] = parts = new List<byte[]>((int)f.Count);
        parts.Add(data);
        if (parts.Count < f.Count) return;
        _partial.Remove(key);
        var frame = new byte[Ethernet.HeaderBytes + parts.Sum(p => p.Length - Ethernet.HeaderBytes)];
        parts[0].AsSpan(0, Ethernet.HeaderBytes).CopyTo(frame);
        int at = Ethernet.HeaderBytes;
        foreach (var p in parts) { p.AsSpan(Ethernet.HeaderBytes).CopyTo(frame.AsSpan(at)); at += p.Length - Ethernet.HeaderBytes; }
        PacketsReceived++;
        ctx.Send(host, DeviceKinds.NicReceive, payload: new NetPacket { Frame = ByteString.CopyFrom(frame) });
    }
}
