using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

/// <summary>Lax synchronisation moves only messages between placement groups, and says how far.</summary>
public sealed class LaxTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    /// <summary>
    /// a and b share group 0 (100 ps apart), c is group 1 (1 ns from both). With a 10 ns quantum the
    /// first window is [0, 10000): a sends at 0, its message to b keeps its time (100), its message
    /// to c (due at 1000) moves to the window's end (10000), 9000 ps late — the bound, quantum − 1 ns.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Only_a_message_between_groups_moves_to_the_window_end(int partitions)
    {
        var recorder = new Recorder();
        var b = new Topology.Builder();
        int a = b.Add("a", 0), bb = b.Add("b", 0), c = b.Add("c", 1);
        b.Link(a, bb, new SimTime(100)).LinkToHub(c, [a, bb], new SimTime(1_000));
        var model = new FactoryModel("lax", b.Build(), id => id == a ? new SendsAtZero(bb, c) : recorder);
        var s = new KernelSettings { Partitions = partitions, Threads = 1, Quantum = new SimTime(10_000) };
        var r = LocalEngine.Run(model, s, fx.System);
        Assert.Equal(new[] { "100:0#1:1:0", "10000:0#2:2:0" }, recorder.Log);
        Assert.Equal(new SyncReport("lax", partitions == 1 ? null : 1_000, 10_000, 9_000, 1, 9_000), r.Sync);
    }

    private sealed class SendsAtZero(int near, int far) : Component
    {
        public override void Start(ISimContext ctx) => ctx.Schedule(SimTime.Zero, 9);
        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            ctx.Send(near, 1);
            ctx.Send(far, 2);
        }
    }

    [Fact]
    public void A_lax_run_is_the_same_for_every_partitioning_and_differs_from_exact()
    {
        var s = new KernelSettings { Seed = 4, EndTime = new SimTime(3_000_000), Quantum = new SimTime(6_000), ParallelThreshold = 1 };
        var runs = new[] { (1, 1), (2, 2), (3, 2), (4, 1) }
            .Select(pt => LocalEngine.Run(new TokenModel(), s with { Partitions = pt.Item1, Threads = pt.Item2 }, fx.System)).ToList();
        var exact = LocalEngine.Run(new TokenModel(), s with { Quantum = null, Partitions = 2 }, fx.System);
        Assert.All(runs, r => Assert.Equal(runs[0].Digest, r.Digest));
        Assert.All(runs, r => Assert.Equal((runs[0].Sync.Shifted, runs[0].Sync.MaxShift), (r.Sync.Shifted, r.Sync.MaxShift)));
        Assert.NotEqual(exact.Digest, runs[0].Digest);
        Assert.Equal(4_000, runs[0].Sync.ShiftBound); // 6 ns − the 2 ns link between groups
        Assert.InRange(runs[0].Sync.MaxShift, 1, 4_000);
        Assert.True(runs[0].Sync.Shifted > 100);
        Assert.Equal(new SyncReport("exact", 2_000, null, 0, 0, 0), exact.Sync);
    }

    [Fact]
    public void A_quantum_below_the_lookahead_is_refused_and_one_equal_to_it_is_exact()
    {
        var ex = Assert.Throws<SimulationException>(() =>
            LocalEngine.Run(new TokenModel(), new KernelSettings { Quantum = new SimTime(1_999) }, fx.System));
        Assert.Contains("smaller than the lookahead 2000 ps", ex.Message);
        var s = new KernelSettings { EndTime = new SimTime(1_000_000), Partitions = 2 };
        var equal = LocalEngine.Run(new TokenModel(), s with { Quantum = new SimTime(2_000) }, fx.System);
        Assert.Equal("exact", equal.Sync.Mode);
        Assert.Equal(SequentialEngine.Run(new TokenModel(), s).Digest, equal.Digest);
    }
}
