using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Cluster;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Benchmarks;

/// <summary>
/// Remote batches: (1) the codec alone — outbox to Protobuf bytes and back to events, with no payload
/// or with a Protobuf message payload on every event (an SmcReply with its function id and X0..X2:
/// encoded with its type tag, parsed through the payload registry); (2) a window's round trip through Akka.Remote
/// on 127.0.0.1 between two actor systems in this process: a StartWindow carrying the batch goes out,
/// a WindowDone carrying it comes back. Per-event times.
/// </summary>
[ShortRunJob]
public class RemoteBatchBenchmarks
{
    [Params(256, 4096)]
    public int Events { get; set; }

    [Params("none", "message")]
    public string Payload { get; set; } = "none";

    private Outbox _box = null!;
    private EventBatch _batch = null!;
    private ActorSystem _a = null!, _b = null!;
    private IActorRef _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _box = new Outbox();
        var rng = new SimRandom(1);
        for (int i = 0; i < Events; i++)
            _box.Add(new SimEvent(1_000_000 + rng.NextInt(10_000_000), rng.NextInt(64), rng.NextInt(64), i, 1, i,
                Payload == "none" ? null : new SecureMonitor.Protocol.SmcReply { Fid = 0xC4000150, X0 = 0, X1 = (ulong)i, X2 = 0x8800_0000 }));
        _batch = BatchCodec.Encode(1, _box);
        _a = Remote("bench-a");
        _b = Remote("bench-b");
        _b.ActorOf(Props.Create(() => new Echo()), "echo");
        var address = ((ExtendedActorSystem)_b).Provider.DefaultAddress;
        _echo = _a.ActorSelection(new RootActorPath(address) / "user" / "echo").ResolveOne(TimeSpan.FromSeconds(10)).Result;
    }

    [GlobalCleanup]
    public void Cleanup() => Task.WaitAll(_a.Terminate(), _b.Terminate());

    [Benchmark]
    public int Codec()
    {
        var bytes = BatchCodec.Encode(1, _box).ToByteArray();
        int n = 0;
        foreach (var _ in BatchCodec.Decode(EventBatch.Parser.ParseFrom(bytes))) n++;
        return n;
    }

    [Benchmark]
    public int AkkaRemoteRoundTrip()
    {
        var start = new StartWindow { Window = 1, End = 2 };
        start.Batches.Add(_batch);
        var done = _echo.Ask<WindowDone>(start, TimeSpan.FromSeconds(10)).Result;
        return done.Batches[0].Time.Count;
    }

    private static ActorSystem Remote(string name) => ActorSystem.Create(name, ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 64 MiB }
        """).WithFallback(ProtobufSerializer.Configuration));

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<StartWindow>(s =>
        {
            var done = new WindowDone { Window = s.Window };
            done.Batches.AddRange(s.Batches);
            Sender.Tell(done);
        });
    }
}
