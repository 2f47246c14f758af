using Google.Protobuf;
using VirtCca.Interconnect.Cluster;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Tests.Protocol;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Interconnect.Tests;

/// <summary>Payload objects in one process, Protobuf on the wire, and one digest either way.</summary>
public sealed class PayloadTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly KernelSettings Base = new() { Seed = 5, EndTime = new SimTime(3_000_000), ParallelThreshold = 1 };

    [Fact]
    public void Message_payloads_give_one_digest_in_both_codec_modes_on_every_engine_and_partitioning()
    {
        var reference = SequentialEngine.Run(new TokenModel(), Base);
        Assert.True(reference.Events > 5_000, $"only {reference.Events} events");
        foreach (var codec in new[] { PayloadCodec.CrossProcess, PayloadCodec.Always })
        {
            var s = Base with { PayloadCodec = codec };
            Assert.Equal(reference.Digest, SequentialEngine.Run(new TokenModel(), s).Digest);
            foreach (int partitions in new[] { 1, 2, 3 })
            {
                var r = LocalEngine.Run(new TokenModel(), s with { Partitions = partitions, Threads = Math.Min(partitions, 2) }, fx.System);
                Assert.Equal(reference.Digest, r.Digest);
                Assert.Equal(reference.Events, r.Events);
            }
            var plain = LocalEngine.Run(new TokenModel(), s with { Partitions = 3, Threads = 2, ComponentActors = false }, null);
            Assert.Equal(reference.Digest, plain.Digest);
        }
    }

    [Theory]
    [InlineData(PayloadCodec.CrossProcess)]
    [InlineData(PayloadCodec.Always)]
    public void In_one_process_the_receiver_gets_the_object_sent_and_with_always_an_equal_parsed_copy(PayloadCodec codec)
    {
        var sent = new Token { Hops = 3, Trail = ByteString.CopyFromUtf8("abc"), Stamp = new Token.Types.Stamp { By = 1, Note = "x" } };
        var bytes = new byte[] { 1, 2, 3 };
        var got = new List<object?>();
        var b = new Topology.Builder();
        int s = b.Add("sender"), r = b.Add("receiver");
        b.Link(s, r, new SimTime(1_000));
        var model = new FactoryModel("payloads", b.Build(), id => id == s ? new Sends(r, sent, bytes) : new Keeps(got));
        LocalEngine.Run(model, new KernelSettings { Partitions = 2, Threads = 1, PayloadCodec = codec }, fx.System);

        Assert.Equal(3, got.Count);
        Assert.Equal(sent, got[0]);
        Assert.Equal(bytes, got[1]);
        Assert.Null(got[2]);
        Assert.Equal(codec == PayloadCodec.CrossProcess, ReferenceEquals(sent, got[0]));
        Assert.Equal(codec == PayloadCodec.CrossProcess, ReferenceEquals(bytes, got[1]));
    }

    private sealed class Sends(int to, Token token, byte[] bytes) : Component
    {
        public override void Start(ISimContext ctx)
        {
            ctx.Send(to, 1, 0, token);
            ctx.Send(to, 2, 0, bytes);
            ctx.Send(to, 3);
        }
        public override void Handle(in SimEvent ev, ISimContext ctx) { }
    }

    private sealed class Keeps(List<object?> got) : Component
    {
        public override void Handle(in SimEvent ev, ISimContext ctx) => got.Add(ev.Payload);
    }

    [Fact]
    public void A_batch_between_processes_carries_messages_bytes_empty_bytes_and_nothing()
    {
        var token = new Token { Hops = 9, Stamp = new Token.Types.Stamp { By = 4, Note = "über" } };
        var box = new Outbox();
        box.Add(new SimEvent(10, 1, 0, 0, 5, 6, token));
        box.Add(new SimEvent(11, 1, 0, 1, 5, 7, new byte[] { 9, 8 }));
        box.Add(new SimEvent(12, 1, 0, 2, 5, 8, Array.Empty<byte>()));
        box.Add(new SimEvent(13, 1, 0, 3, 5, 9, null));
        box.Add(new SimEvent(14, 1, 0, 4, 5, 10, new Token { Hops = 1 }));

        var wire = EventBatch.Parser.ParseFrom(BatchCodec.Encode(1, box).ToByteArray());
        Assert.Equal(new[] { "virtcca.tests.Token" }, wire.PayloadTypes.ToArray());
        var back = BatchCodec.Decode(wire).ToList();

        Assert.Equal(token, back[0].Payload);
        Assert.NotSame(token, back[0].Payload);
        Assert.Equal(new byte[] { 9, 8 }, back[1].Data);
        Assert.Equal(Array.Empty<byte>(), back[2].Payload);
        Assert.Null(back[3].Payload);
        Assert.Equal(new Token { Hops = 1 }, back[4].Payload);
        Assert.Equal(box.Events.Select(e => (e.Time, e.Seq, e.Arg)), back.Select(e => (e.Time, e.Seq, e.Arg)));
        for (int i = 0; i < back.Count; i++) Assert.Equal(Digest(box.Events[i]), Digest(back[i]));
    }

    [Fact]
    public void An_unknown_payload_type_on_the_wire_is_an_error_naming_it()
    {
        var batch = new EventBatch { ToPartition = 0, Data = ByteString.CopyFrom(1, 2) };
        batch.Time.Add(1); batch.Target.Add(0); batch.Source.Add(1); batch.Seq.Add(0); batch.Kind.Add(1); batch.Arg.Add(0);
        batch.DataEnd.Add(2); batch.PayloadKind.Add(2); batch.PayloadTypes.Add("no.such.Message");
        var ex = Assert.Throws<SimulationException>(() => BatchCodec.Decode(batch).ToList());
        Assert.Contains("'no.such.Message'", ex.Message);
        Assert.Contains("PayloadRegistry.Register", ex.Message);
        Assert.False(PayloadRegistry.IsKnown("no.such.Message"));
        Assert.True(PayloadRegistry.IsKnown("virtcca.tests.Token.Stamp"));
    }

    [Fact]
    public void A_payload_the_wire_cannot_carry_is_refused_naming_the_sender()
    {
        var b = new Topology.Builder();
        int s = b.Add("odd-sender"), r = b.Add("receiver");
        b.Link(s, r, new SimTime(1_000));
        var model = new FactoryModel("bad", b.Build(), id => id == s ? new SendsString(r) : new Keeps([]));
        var ex = Assert.Throws<SimulationException>(() => SequentialEngine.Run(model, new KernelSettings()));
        Assert.Contains("component 0 (odd-sender)", ex.Message);
        Assert.Contains("String", ex.Message);
    }

    private sealed class SendsString(int to) : Component
    {
        public override void Start(ISimContext ctx) => ctx.Send(to, 1, 0, "not a message");
        public override void Handle(in SimEvent ev, ISimContext ctx) { }
    }

    [Fact]
    public void PayloadAs_returns_the_object_parses_bytes_of_a_message_type_and_names_the_event_otherwise()
    {
        var token = new Token { Hops = 2 };
        Assert.Same(token, new SimEvent(1, 0, 0, 0, 1, 0, token).PayloadAs<Token>());
        Assert.Equal(token, new SimEvent(1, 0, 0, 0, 1, 0, token.ToByteArray()).PayloadAs<Token>());
        var bytes = new byte[] { 1 };
        Assert.Same(bytes, new SimEvent(1, 0, 0, 0, 1, 0, bytes).Data);
        Assert.Null(new SimEvent(1, 0, 0, 0, 1, 0, token).Data);
        var ex = Assert.Throws<SimulationException>(() => new SimEvent(7, 2, 3, 4, 1, 0, null).PayloadAs<Token>());
        Assert.Contains("t=7ps 3#4->2", ex.Message);
        Assert.Contains("no payload", ex.Message);
    }

    [Fact]
    public void A_message_enters_the_digest_by_its_type_not_its_encoding()
    {
        static SimEvent With(object? p) => new(5, 1, 0, 0, 1, 2, p);
        var token = new Token { Hops = 2, Stamp = new Token.Types.Stamp { Note = "a" } };
        var parsed = Token.Parser.ParseFrom(token.ToByteArray());
        Assert.Equal(Digest(With(token)), Digest(With(parsed)));
        Assert.NotEqual(Digest(With(token)), Digest(With(new Token.Types.Stamp())));
        Assert.NotEqual(Digest(With(token)), Digest(With(null)));
        Assert.NotEqual(Digest(With(new byte[] { 1 })), Digest(With(new byte[] { 2 })));
    }

    private static ulong Digest(SimEvent e)
    {
        var d = new ComponentDigest();
        d.Add(e);
        return d.Hash;
    }
}
