using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

/// <summary>Windows bounded by the links that cross partitions; links inside a partition run within a window.</summary>
public sealed class WindowTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly KernelSettings Base = new() { Seed = 3, EndTime = new SimTime(4_000_000), ParallelThreshold = 1 };

    [Fact]
    public void Links_inside_a_group_shorter_than_the_window_give_the_sequential_digest_on_any_partitioning()
    {
        // Groups of 4 linked at 100 ps inside, 5 ns between: windows are 50 times the short links.
        TokenModel Model() => new(components: 16, groupSize: 4, intraPs: 100, interPs: 5_000, population: 3);
        var reference = SequentialEngine.Run(Model(), Base);
        Assert.Equal(new SimTime(5_000), Model().Topology.Lookahead);
        foreach (var (partitions, threads) in new[] { (1, 1), (2, 1), (2, 2), (3, 2), (4, 2) })
        {
            var r = LocalEngine.Run(Model(), Base with { Partitions = partitions, Threads = threads }, fx.System);
            Assert.Equal(reference.Digest, r.Digest);
            Assert.Equal(reference.Events, r.Events);
            Assert.Equal(reference.LastEventTime, r.LastEventTime);
            Assert.Equal(partitions == 1 ? null : 5_000, r.Sync.Lookahead);
        }
    }

    [Fact]
    public void With_one_partition_there_is_no_crossing_link_and_one_window_runs_to_the_end()
    {
        var r = LocalEngine.Run(new TokenModel(), Base with { Partitions = 1 }, fx.System);
        Assert.Equal(1, r.Windows);
        Assert.Null(r.Sync.Lookahead);
        Assert.Equal(SequentialEngine.Run(new TokenModel(), Base).Digest, r.Digest);
    }

    [Fact]
    public void A_partition_that_reaches_no_other_pauses_after_its_budget_and_the_digest_stays()
    {
        var s = Base with { Partitions = 1, PauseEvents = 1_000 };
        var r = LocalEngine.Run(new TokenModel(), s, fx.System);
        Assert.True(r.Events > 5_000);
        Assert.Equal((r.Events + 999) / 1_000, r.Windows);
        Assert.Equal(SequentialEngine.Run(new TokenModel(), Base).Digest, r.Digest);
    }

    /// <summary>
    /// Hand-computed: a (group 0) pings b (group 0, 100 ps) ten times back and forth, then b sends c
    /// (group 1, 3 ns). With a and b in one partition the ten hops happen inside the first window
    /// [100, 3100): exact times 100, 200, ... 1000, then c at 4000 in a second one.
    /// </summary>
    [Theory]
    [InlineData("sequential", 1)]
    [InlineData("actors", 1)]
    [InlineData("actors", 2)]
    public void A_chain_over_a_short_link_runs_inside_one_window_at_exact_times(string engine, int partitions)
    {
        var log = new List<string>();
        var b = new Topology.Builder();
        int a = b.Add("a", 0), bb = b.Add("b", 0), c = b.Add("c", 1);
        b.Link(a, bb, new SimTime(100)).LinkToHub(c, [a, bb], new SimTime(3_000));
        var model = new FactoryModel("chain", b.Build(), id => new Pinger(id, log, peer: id == a ? bb : a, far: c));
        var s = new KernelSettings { Partitions = partitions, Threads = 1 };
        var r = engine == "sequential" ? SequentialEngine.Run(model, s) : LocalEngine.Run(model, s, fx.System);
        Assert.Equal(new[] { "100:1", "200:0", "300:1", "400:0", "500:1", "600:0", "700:1", "800:0", "900:1", "1000:0", "4000:2" }, log);
        if (engine == "actors" && partitions == 2) Assert.Equal(2, r.Windows);
    }

    private sealed class Pinger(int self, List<string> log, int peer, int far) : Component
    {
        public override void Start(ISimContext ctx) { if (self == 0) ctx.Send(peer, 1, 1); }
        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            log.Add($"{ev.Time}:{self}");
            if (self == far) return;
            if (ev.Arg < 10) ctx.Send(peer, 1, ev.Arg + 1);
            else ctx.Send(far, 1);
        }
    }

    [Fact]
    public void Each_partitions_window_bound_is_its_own_shortest_outgoing_link()
    {
        // Groups: {0,1} {2} {3}; 0-1 at 10 ps; 1-2 at 2 ns; 2-3 at 7 ns; hub 3 <- 0 at 9 ns (one way).
        var b = new Topology.Builder();
        b.Add("x0", 0); b.Add("x1", 0); b.Add("x2", 2); b.Add("x3", 3);
        b.Link(0, 1, new SimTime(10)).Link(1, 2, new SimTime(2_000)).Link(2, 3, new SimTime(7_000))
            .LinkToHub(3, [0], new SimTime(9_000), bothWays: false, name: "to-x3");
        var t = b.Build();
        Assert.Equal(new SimTime(2_000), t.Lookahead);
        Assert.Equal("x1 -> x2", t.LookaheadLink);

        var plan = WindowPlan.For(t, new KernelSettings(), 3); // partitions: {x0,x1} {x2} {x3}
        Assert.Equal(new[] { 0, 0, 1, 2 }, plan.PartitionOf);
        Assert.Equal(new long[] { 2_000, 2_000, 7_000 }, plan.Outgoing);
        Assert.Equal(12_000, plan.Reach(0, 10_000));
        Assert.Equal(long.MaxValue, plan.Reach(2, long.MaxValue));

        plan = WindowPlan.For(t, new KernelSettings(), 2); // {x0,x1} {x2,x3}
        Assert.Equal(new long[] { 2_000, 2_000 }, plan.Outgoing);
        Assert.Equal("x1 -> x2", plan.Crossing.SmallestLink);
        Assert.Equal(new long[] { long.MaxValue }, WindowPlan.For(t, new KernelSettings(), 1).Outgoing);
    }

    [Fact]
    public void A_big_group_goes_to_the_partition_its_middle_falls_in()
    {
        // datacenter.conf's shape: a 1-component switch, eight 46-component servers, four 2-component
        // clients (377 components). By their first components five servers would share partition 0.
        var b = new Topology.Builder();
        var firstOfGroup = new List<int> { b.Add("switch") };
        for (int m = 0; m < 12; m++)
        {
            int size = m < 8 ? 46 : 2, first = b.Add($"m{m}.0");
            for (int c = 1; c < size; c++) b.Add($"m{m}.{c}", first);
            firstOfGroup.Add(first);
        }
        b.LinkToHub(0, firstOfGroup.Skip(1), SimTime.FromMicroseconds(1), name: "nics");
        var partitionOf = Placement.PartitionOf(b.Build(), 2);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1 }, firstOfGroup.Select(id => partitionOf[id]));
        Assert.Equal(185, partitionOf.Count(p => p == 0));
    }

    [Fact]
    public void A_configured_lookahead_caps_the_window_even_without_crossing_links()
    {
        var b = new Topology.Builder();
        b.Add("solo");
        var plan = WindowPlan.For(b.Build(new SimTime(1_000)), new KernelSettings(), 1);
        Assert.Equal(new long[] { 1_000 }, plan.Outgoing);
    }
}
