using Google.Protobuf;
using VirtCca.Devices.Network;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Load;

/// <summary>
/// A server without a guest, on a NIC's host side: each request is served in turn for
/// <paramref name="serviceTime"/> (one busy server, first come first served) and answered with a
/// response of the size the request asks for. For network calibration and tests; a guest's server
/// workload does the same through virtio-net.
/// </summary>
public sealed class ResponderActor(int address, SimTime serviceTime, int nic) : Component
{
    private SimTime _free;

    public long Served { get; private set; }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != DeviceKinds.NicReceive) throw new InvalidOperationException($"ResponderActor got event kind {ev.Kind}");
        var frame = ev.PayloadAs<NetPacket>().Frame.Span;
        if (AppMessage.Decode(frame[Ethernet.HeaderBytes..]) is not { Kind: AppMessage.Request } m) return;
        var start = _free > ctx.Now ? _free : ctx.Now;
        _free = start + serviceTime;
        Served++;
        var payload = new AppMessage(AppMessage.Response, m.Connection, m.Id, 0).Encode((int)m.ResponseBytes);
        var response = Ethernet.Frame(Ethernet.Source(frame), address, payload);
        ctx.Send(nic, DeviceKinds.NicTransmit, payload: new NetPacket { Frame = ByteString.CopyFrom(response) }, extraDelay: _free - ctx.Now);
    }
}
