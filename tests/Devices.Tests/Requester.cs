namespace VirtCca.Devices.Tests;

/// <summary>A PE- or driver-like requester sending its scripted messages to one device, <paramref name="spacingUs"/> µs apart, and logging replies as "time:tag:ok|bus-error:data-hex".</summary>
internal sealed class Requester(int target, (int Kind, IMessage Message)[] script, List<string> log, int spacingUs = 1) : Component
{
    public override void Start(ISimContext ctx)
    {
        for (int i = 0; i < script.Length; i++) ctx.Schedule(SimTime.FromMicroseconds(i * spacingUs), 1, i);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind == 1) { var (kind, msg) = script[ev.Arg]; ctx.Send(target, kind, data: msg.ToByteArray()); return; }
        var r = ev.PayloadAs<MemReply>();
        log.Add($"{ev.Time}:{r.Tag}:{(r.Ok ? "ok" : "bus-error")}:{Convert.ToHexString(r.Data.ToByteArray())}");
    }
}
