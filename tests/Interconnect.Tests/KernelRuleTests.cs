using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

public sealed class KernelRuleTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly KernelSettings Settings = new() { Seed = 1, Partitions = 2, Threads = 2, ParallelThreshold = 1 };

    /// <summary>
    /// Components 0 and 1 send to recorder 2. Links: 0→2 = 3 ns, 1→2 = 2 ns (lookahead 2 ns).
    /// 0 sends kind 10 (+0) and kind 11 (+1 ns); 1 sends kind 20 (+1 ns) and kind 21 (+2 ns).
    /// Arrivals: 0#0 at 3000, 0#1 at 4000, 1#0 at 3000, 1#1 at 4000. Ties at 3000 and 4000 are broken
    /// by source id, then by the sender's sequence number.
    /// </summary>
    [Theory]
    [InlineData("sequential")]
    [InlineData("actors")]
    public void Exact_timestamps_and_tie_break_of_a_hand_computed_scenario(string engine)
    {
        var recorder = new Recorder();
        var b = new Topology.Builder();
        int a0 = b.Add("a"), a1 = b.Add("b"), r = b.Add("recorder");
        b.Link(a0, r, SimTime.FromNanoseconds(3)).Link(a1, r, SimTime.FromNanoseconds(2));
        var topology = b.Build();
        Assert.Equal(SimTime.FromNanoseconds(2), topology.Lookahead);
        var model = new FactoryModel("scripted", topology, id => id switch
        {
            0 => new Sender((2, 11, 1000), (2, 10, 0)),
            1 => new Sender((2, 20, 1000), (2, 21, 2000)),
            _ => recorder,
        });
        var result = engine == "sequential" ? SequentialEngine.Run(model, Settings) : LocalEngine.Run(model, Settings, fx.System);
        Assert.Equal(new[] { "3000:0#1:10:0", "3000:1#0:20:0", "4000:0#0:11:0", "4000:1#1:21:0" }, recorder.Log);
        Assert.Equal(4, result.Events);
        Assert.Equal(new SimTime(4000), result.LastEventTime);
    }

    [Fact]
    public void A_link_shorter_than_the_lookahead_is_rejected_with_its_name()
    {
        var b = new Topology.Builder();
        int pe = b.Add("pe0"), gic = b.Add("gic");
        b.Link(pe, gic, SimTime.FromNanoseconds(5));
        var ex = Assert.Throws<TopologyException>(() => b.Build(SimTime.FromNanoseconds(10)));
        Assert.Contains("pe0 -> gic", ex.Message);
        Assert.Contains("5000 ps", ex.Message);
        Assert.Contains("lookahead 10000 ps", ex.Message);
    }

    [Fact]
    public void A_send_without_a_link_and_a_quantum_below_the_lookahead_are_errors()
    {
        var b = new Topology.Builder();
        int x = b.Add("x"), y = b.Add("y"), z = b.Add("z");
        b.Link(x, y, SimTime.FromNanoseconds(1));
        var model = new FactoryModel("scripted", b.Build(), id => id == 0 ? new Sender((2, 1, 0)) : new Recorder());
        var ex = Assert.Throws<SimulationException>(() => SequentialEngine.Run(model, Settings));
        Assert.Contains("no link", ex.Message);
        Assert.Throws<SimulationException>(() => LocalEngine.Run(model, Settings with { Quantum = new SimTime(10) }, fx.System));
        _ = z;
    }

    /// <summary>One event per simulated second for 1000 s: 1000 windows, not 10^15 / lookahead.</summary>
    [Fact]
    public void Empty_time_is_skipped()
    {
        var b = new Topology.Builder();
        b.Add("ticker");
        var topology = b.Build(SimTime.FromNanoseconds(1));
        var model = new FactoryModel("scripted", topology, _ => new Ticker());
        var s = new KernelSettings { EndTime = new SimTime(1_000 * Ticker.Second), Partitions = 1, Threads = 1 };
        var r = LocalEngine.Run(model, s, fx.System);
        Assert.Equal(1000, r.Events);
        Assert.Equal(1000, r.Windows);
        Assert.Equal(new SimTime(999 * Ticker.Second), r.LastEventTime);
    }

    private sealed class Ticker : Component
    {
        public const long Second = 1_000_000_000_000;
        public override void Start(ISimContext ctx) => ctx.Schedule(SimTime.Zero, 1);
        public override void Handle(in SimEvent ev, ISimContext ctx) => ctx.Schedule(new SimTime(Second), 1, ev.Arg + 1);
    }

    [Fact]
    public void A_failing_component_is_reported_with_its_name_and_time()
    {
        var b = new Topology.Builder();
        b.Add("bad");
        var model = new FactoryModel("scripted", b.Build(SimTime.FromNanoseconds(1)), _ => new Throws());
        var ex = Assert.Throws<SimulationException>(() => LocalEngine.Run(model, new KernelSettings { EndTime = new SimTime(10_000) }, fx.System));
        Assert.Contains("component 0 (bad)", ex.Message);
        Assert.Contains("t=5 ps", ex.Message);
    }

    private sealed class Throws : Component
    {
        public override void Start(ISimContext ctx) => ctx.Schedule(new SimTime(5), 1);
        public override void Handle(in SimEvent ev, ISimContext ctx) => throw new InvalidOperationException("boom");
    }
}
