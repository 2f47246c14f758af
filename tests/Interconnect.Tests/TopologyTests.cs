namespace VirtCca.Interconnect.Tests;

/// <summary>Link sets: every pair among some components, and each of some components to a hub, with no entry per pair.</summary>
public sealed class TopologyTests
{
    private static int Ns(long n) => (int)(n * 1_000);

    [Fact]
    public void Sets_and_pairs_give_each_pair_its_smallest_latency_and_hubs_their_direction()
    {
        var b = new Topology.Builder();
        for (int i = 0; i < 12; i++) b.Add($"c{i}", 0);
        b.LinkAll(Enumerable.Range(0, 10), SimTime.FromNanoseconds(5), "clique");
        b.LinkToHub(10, Enumerable.Range(0, 10), SimTime.FromNanoseconds(2), name: "to-10");
        b.LinkToHub(11, [0, 1], SimTime.FromNanoseconds(3), bothWays: false, name: "to-11");
        b.Link(0, 1, SimTime.FromNanoseconds(1));
        var t = b.Build();
        Assert.Equal(Ns(1), t.LatencyOf(0, 1));
        Assert.Equal(Ns(1), t.LatencyOf(1, 0));
        Assert.Equal(Ns(5), t.LatencyOf(2, 3));
        Assert.Equal(Ns(2), t.LatencyOf(3, 10));
        Assert.Equal(Ns(2), t.LatencyOf(10, 3));
        Assert.Equal(Ns(3), t.LatencyOf(1, 11));
        Assert.Equal(-1, t.LatencyOf(11, 1));      // one way
        Assert.Equal(-1, t.LatencyOf(2, 11));      // not a member
        Assert.Equal(-1, t.LatencyOf(10, 11));
        Assert.Equal(-1, t.LatencyOf(4, 4));
    }

    [Fact]
    public void The_lookahead_is_the_smallest_link_between_placement_groups()
    {
        var b = new Topology.Builder();
        int pe0 = b.Add("pe0", 0), v0 = b.Add("vcpu0", 0), pe1 = b.Add("pe1", 1), gic = b.Add("gic", 2);
        b.Link(pe0, v0, new SimTime(1));                                   // inside group 0
        b.LinkAll([pe0, pe1], SimTime.FromNanoseconds(40), "pes");
        b.LinkToHub(gic, [pe0, pe1], SimTime.FromNanoseconds(20), name: "pe-gic");
        var t = b.Build();
        Assert.Equal(SimTime.FromNanoseconds(20), t.Lookahead);
        Assert.Equal("pe0 -> gic (link set 'pe-gic')", t.LookaheadLink);

        var ex = Assert.Throws<TopologyException>(() => b.Build(SimTime.FromNanoseconds(30)));
        Assert.Contains("pe0 -> gic (link set 'pe-gic') has latency 20000 ps", ex.Message);
        Assert.Contains("lookahead 30000 ps", ex.Message);
        Assert.Equal(SimTime.FromNanoseconds(20), b.Build(SimTime.FromNanoseconds(20)).Lookahead);
    }

    [Fact]
    public void One_group_has_no_link_between_groups_and_no_lookahead()
    {
        var b = new Topology.Builder();
        b.Add("a", 7); b.Add("b", 7);
        b.AllToAll(new SimTime(5));
        var t = b.Build();
        Assert.Equal(SimTime.MaxValue, t.Lookahead);
        Assert.Equal("", t.LookaheadLink);
        Assert.Equal(5, t.LatencyOf(0, 1));
    }

    [Theory]
    [InlineData(-1, "names a component that does not exist")]
    [InlineData(0, "latency 0 ps")]
    public void A_bad_set_is_refused_naming_it(int variant, string expected)
    {
        var b = new Topology.Builder();
        b.Add("a"); b.Add("b");
        if (variant < 0) b.LinkAll([0, 5], new SimTime(10), "broken");
        else b.LinkToHub(0, [1], SimTime.Zero, name: "broken");
        var ex = Assert.Throws<TopologyException>(() => b.Build());
        Assert.Contains("link set 'broken'", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    /// <summary>A machine-sized topology — 100,000 idle vCPUs to a hub, 16,384 PEs all-to-all — is sets, not pairs.</summary>
    [Fact]
    public void A_topology_of_116k_components_with_all_pairs_linked_is_built_from_sets()
    {
        const int pes = 16_384, vcpus = 100_000;
        var b = new Topology.Builder();
        int hub = b.Add("kvm", 0);
        for (int i = 0; i < pes; i++) b.Add($"pe{i}", 1 + i);
        for (int i = 0; i < vcpus; i++) b.Add($"vcpu{i}", 1 + i % pes);
        b.LinkAll(Enumerable.Range(1, pes), SimTime.FromNanoseconds(50), "pes");
        b.LinkToHub(hub, Enumerable.Range(1, pes + vcpus), SimTime.FromNanoseconds(100), name: "kvm");
        var t = b.Build();
        Assert.Equal(Ns(50), t.LatencyOf(1, pes));
        Assert.Equal(Ns(100), t.LatencyOf(pes + vcpus, hub));
        Assert.Equal(-1, t.LatencyOf(pes + 1, pes + 2));
        var crossing = t.Crossing(Engine.Placement.PartitionOf(t, 4), 4);
        Assert.Equal(Ns(50), crossing.Smallest);
    }
}
