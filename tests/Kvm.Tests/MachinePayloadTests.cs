namespace VirtCca.Kvm.Tests;

/// <summary>
/// A machine's components send their Protobuf messages as objects inside a process; forcing every payload
/// through the codec (as if each event crossed a process) must not change a thing — for every message kind a
/// realm machine with I/O, PSCI, IPIs and power-off uses.
/// </summary>
public sealed class MachinePayloadTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    [Theory]
    [InlineData("realm-smp.conf")]
    [InlineData("four-guests.conf")]
    [InlineData("io-block.conf")]
    public void Every_payload_through_the_codec_gives_the_same_digest(string experiment)
    {
        var spec = Experiments.Spec(experiment);
        var objects = SequentialEngine.Run(new Machine(spec).Model, new KernelSettings());
        var encoded = SequentialEngine.Run(new Machine(spec).Model, new KernelSettings { PayloadCodec = PayloadCodec.Always });
        var actors = LocalEngine.Run(new Machine(spec).Model, new KernelSettings { PayloadCodec = PayloadCodec.Always, Partitions = 2, Threads = 2 }, fx.System);
        Assert.True(objects.Events > 1_000, $"only {objects.Events} events");
        Assert.Equal((objects.Digest, objects.Events), (encoded.Digest, encoded.Events));
        Assert.Equal((objects.Digest, objects.Events), (actors.Digest, actors.Events));
    }
}
