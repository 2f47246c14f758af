namespace VirtCca.Interconnect.Tests;

/// <summary>Remembers every event it is delivered, as "time:source#seq:kind:arg".</summary>
internal sealed class Recorder : Component
{
    public readonly List<string> Log = new();
    public override void Handle(in SimEvent ev, ISimContext ctx) => Log.Add($"{ev.Time}:{ev.Source}#{ev.Seq}:{ev.Kind}:{ev.Arg}");
}

/// <summary>At start, sends each (target, kind, extra delay) once; then does nothing.</summary>
internal sealed class Sender(params (int Target, int Kind, long ExtraPs)[] sends) : Component
{
    public override void Start(ISimContext ctx)
    {
        foreach (var (t, k, extra) in sends) ctx.Send(t, k, arg: 0, extraDelay: new SimTime(extra));
    }
    public override void Handle(in SimEvent ev, ISimContext ctx) { }
}
