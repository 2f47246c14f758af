using Google.Protobuf;
using VirtCca.Devices.Network;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Load;

/// <summary>
/// A load generator as a kernel component on a NIC's host side. It sends requests (open or closed
/// loop, <see cref="LoadSettings"/>) as Ethernet frames carrying an <see cref="AppMessage"/>, and
/// records each answer's latency — from handing the request to the NIC to receiving the response
/// from it — per server and in total. Throughput is answers over the span from the first request to
/// the last answer.
/// </summary>
public sealed class LoadGeneratorActor(LoadSettings settings, int nic) : Component
{
    public const int KindSend = 0x67F0;

    private readonly Dictionary<ulong, (SimTime Sent, int Server)> _outstanding = new();
    private ulong _nextId;

    public LoadSettings Settings { get; } = settings;
    public LatencyHistogram Total { get; } = new();
    public Dictionary<int, LatencyHistogram> PerServer { get; } = new();
    public long Sent { get; private set; }
    public long Completed { get; private set; }
    public long Unmatched { get; private set; }
    public SimTime FirstSend { get; private set; }
    public SimTime LastAnswer { get; private set; }

    /// <summary>Answers per second of simulated time over [first request, last answer].</summary>
    public double Throughput => Completed == 0 || LastAnswer <= FirstSend ? 0 : Completed / ((LastAnswer - FirstSend).Picoseconds / 1e12);

    public override void Start(ISimContext ctx)
    {
        if (Settings.Servers.Count == 0) throw new InvalidOperationException($"load generator {Settings.Address} has no servers");
        if (Settings.Mode == LoadMode.Open)
        {
            if (Settings.RatePerSecond <= 0) throw new InvalidOperationException($"load generator {Settings.Address}: rate {Settings.RatePerSecond}/s must be positive");
            ctx.Schedule(Settings.StartAt + NextGap(ctx), KindSend);
        }
        else
            for (int c = 0; c < Settings.Connections; c++) ctx.Schedule(Settings.StartAt, KindSend, c);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case KindSend:
                if (Sent >= Settings.Requests) return;
                if (Settings.Mode == LoadMode.Open)
                {
                    Send(ctx, (uint)Sent, Settings.Servers[Settings.Servers.Count == 1 ? 0 : ctx.Random.NextInt(Settings.Servers.Count)]);
                    if (Sent < Settings.Requests) ctx.Schedule(NextGap(ctx), KindSend);
                }
                else Send(ctx, (uint)ev.Arg, Settings.Servers[(int)(ev.Arg % Settings.Servers.Count)]);
                break;
            case DeviceKinds.NicReceive:
                OnAnswer(ctx, ev.PayloadAs<NetPacket>().Frame.Span);
                break;
            default:
                throw new InvalidOperationException($"LoadGeneratorActor got event kind {ev.Kind}");
        }
    }

    private SimTime NextGap(ISimContext ctx) => new(ctx.Random.NextExponential(1e12 / Settings.RatePerSecond));

    private void Send(ISimContext ctx, uint connection, int server)
    {
        ulong id = _nextId++;
        var payload = new AppMessage(AppMessage.Request, connection, id, (uint)Settings.ResponseBytes).Encode(Settings.RequestBytes);
        if (Sent == 0) FirstSend = ctx.Now;
        Sent++;
        _outstanding[id] = (ctx.Now, server);
        ctx.Send(nic, DeviceKinds.NicTransmit, payload: new NetPacket { Frame = UnsafeByteOperations.UnsafeWrap(Ethernet.Frame(server, Settings.Address, payload)) }); // a new array, never written again
    }

    private void OnAnswer(ISimContext ctx, ReadOnlySpan<byte> frame)
    {
        if (AppMessage.Decode(frame[Ethernet.HeaderBytes..]) is not { Kind: AppMessage.Response } m || !_outstanding.Remove(m.Id, out var req)) { Unmatched++; return; }
        long latency = (ctx.Now - req.Sent).Picoseconds;
        Total.Record(latency);
        if (!PerServer.TryGetValue(req.Server, out var h)) PerServer[req.Server] = h = new LatencyHistogram();
        h.Record(latency);
        Completed++;
        LastAnswer = ctx.Now;
        if (Settings.Mode == LoadMode.Closed && Sent < Settings.Requests) ctx.Schedule(Settings.ThinkTime, KindSend, m.Connection);
    }
}
