using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Models;

namespace VirtCca.Interconnect.Tests;

public sealed class PholdDeterminismTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    // Small enough for a unit test (~100 k events), dense enough that windows split across threads.
    private static readonly PholdParameters Small = new() { Components = 16, Population = 16 };
    private static readonly KernelSettings Base = new() { Seed = 42, EndTime = SimTime.FromMicroseconds(4_000), ParallelThreshold = 1 };

    private RunResult Actors(KernelSettings s, PholdParameters? p = null) => LocalEngine.Run(new PholdModel(p ?? Small), s, fx.System);
    private static RunResult Sequential(KernelSettings s, PholdParameters? p = null) => SequentialEngine.Run(new PholdModel(p ?? Small), s);

    [Fact]
    public void Same_digest_in_three_runs()
    {
        var runs = Enumerable.Range(0, 3).Select(_ => Actors(Base with { Partitions = 2, Threads = 2 })).ToList();
        Assert.True(runs[0].Events > 50_000, $"only {runs[0].Events} events");
        Assert.All(runs, r => Assert.Equal(runs[0].Digest, r.Digest));
        Assert.All(runs, r => Assert.Equal(runs[0].Events, r.Events));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Same_digest_whatever_the_thread_count(int threads)
    {
        var reference = Sequential(Base);
        var r = Actors(Base with { Partitions = 4, Threads = threads });
        Assert.Equal(reference.Digest, r.Digest);
        Assert.Equal(reference.Events, r.Events);
        Assert.Equal(reference.LastEventTime, r.LastEventTime);
    }

    [Fact]
    public void Same_digest_on_one_and_two_partitions()
    {
        var one = Actors(Base with { Partitions = 1, Threads = 1 });
        var two = Actors(Base with { Partitions = 2, Threads = 2 });
        Assert.Equal(one.Digest, two.Digest);
        Assert.Equal(2, two.Partitions);
    }

    [Fact]
    public void Actor_engine_matches_the_sequential_engine_and_plain_objects()
    {
        var seq = Sequential(Base);
        var actors = Actors(Base with { Partitions = 3, Threads = 2 });
        var plain = LocalEngine.Run(new PholdModel(Small), Base with { Partitions = 3, Threads = 2, ComponentActors = false }, null);
        Assert.Equal(seq.Digest, actors.Digest);
        Assert.Equal(seq.Digest, plain.Digest);
        Assert.Equal("sequential", seq.Engine);
        Assert.Equal("actors", actors.Engine);
    }

    [Fact]
    public void Digest_changes_with_the_seed_and_with_the_model()
    {
        var a = Sequential(Base);
        var b = Sequential(Base with { Seed = 43 });
        var c = Sequential(Base, Small with { MeanDelay = SimTime.FromNanoseconds(9_000) });
        Assert.NotEqual(a.Digest, b.Digest);
        Assert.NotEqual(a.Digest, c.Digest);
    }

    [Fact]
    public void Sparse_phold_matches_with_self_sends_and_groups()
    {
        var p = new PholdParameters { Components = 12, Population = 1, RemoteFraction = 0.5, GroupSize = 3 };
        var seq = Sequential(Base, p);
        var par = Actors(Base with { Partitions = 4, Threads = 2 }, p);
        Assert.Equal(seq.Digest, par.Digest);
        Assert.True(seq.Events > 1000);
    }

    [Fact]
    public void Lax_quantum_is_deterministic_across_threads_and_reported_as_different_timing()
    {
        var lax = Base with { Quantum = SimTime.FromNanoseconds(5_000) };
        var a = Actors(lax with { Partitions = 1, Threads = 1 });
        var b = Actors(lax with { Partitions = 4, Threads = 2 });
        var exact = Actors(Base with { Partitions = 4, Threads = 2 });
        Assert.Equal(a.Digest, b.Digest);
        Assert.NotEqual(exact.Digest, a.Digest);
        Assert.True(a.Windows < exact.Windows);
    }
}
