using VirtCca.Devices.Load;

namespace VirtCca.Devices.Tests.Network;

/// <summary>Requests between machines over NICs and a switch, at exact times; load generators' statistics.</summary>
public sealed class NetworkTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static NetRig Run(NetRig rig, KernelSettings? settings = null)
    {
        SequentialEngine.Run(rig.Build(), settings ?? new KernelSettings());
        return rig;
    }

    /// <summary>
    /// A 64-byte request and response: frame 78 B, on the wire 78 + 4 FCS + 20 preamble/gap = 102 B =
    /// 32,640 ps at 25 Gb/s. Each way: host→NIC 200 ns, serialise 32,640, link 1 µs, switch 500 ns,
    /// serialise 32,640 again, link 1 µs, NIC→host 200 ns = 2,965,280 ps; plus 2 µs of service.
    /// </summary>
    [Fact]
    public void A_request_over_the_switch_takes_the_exact_latency()
    {
        var rig = Run(new NetRig());
        Assert.Equal(1, rig.LoadGenerator.Completed);
        Assert.Equal(2 * 2_965_280 + 2_000_000, rig.LoadGenerator.Total.Max);
        Assert.Equal(7_930_560, rig.LoadGenerator.Total.Percentile(0.5));
        Assert.Equal(7_930_560, rig.LoadGenerator.PerServer[2].Percentile(0.999));
    }

    /// <summary>
    /// A 4,000-byte response leaves NIC B as three frames (1,500 + 1,500 + 1,000 bytes of payload;
    /// 1,538 B = 492,160 ps and 1,038 B = 332,160 ps on the wire). The switch forwards each once it is
    /// whole; the short third frame catches up and waits 160,000 ps for the port. The last frame
    /// reaches the client 4,508,640 ps after the response reached NIC B (5,165,280).
    /// </summary>
    [Fact]
    public void A_large_response_is_segmented_and_pipelined_through_the_switch()
    {
        var rig = Run(new NetRig { Load = new() { Address = 1, Servers = [2], Requests = 1, ResponseBytes = 4000 } });
        Assert.Equal(5_165_280 + 4_508_640, rig.LoadGenerator.Total.Max);
        Assert.Equal(new SimTime(160_000), rig.SwitchActor.MaxQueueing);
        Assert.Equal(4, rig.SwitchActor.FramesForwarded);
    }

    [Fact]
    public void A_closed_loop_connection_sends_the_next_request_when_answered()
    {
        var rig = Run(new NetRig { Load = new() { Address = 1, Servers = [2], Requests = 10, Connections = 1 } });
        Assert.Equal(10, rig.LoadGenerator.Completed);
        Assert.Equal(new SimTime(10 * 7_930_560), rig.LoadGenerator.LastAnswer);
        Assert.Equal(10 / 79.3056e-6, rig.LoadGenerator.Throughput, 6);
        Assert.Equal(7_930_560, rig.LoadGenerator.Total.Min);
        Assert.Equal(7_930_560, rig.LoadGenerator.Total.Max);
    }

    private static NetRig OpenLoop() => new()
    {
        Load = new() { Address = 1, Servers = [2], Mode = LoadMode.Open, RatePerSecond = 300_000, Requests = 2_000 },
    };

    /// <summary>300 k requests/s against a 2 µs server (60 % busy): requests queue, the tail grows; the same seed gives the same numbers on both engines.</summary>
    [Fact]
    public void An_open_loop_is_seeded_and_both_engines_agree()
    {
        var a = OpenLoop();
        var seq = SequentialEngine.Run(a.Build(), new KernelSettings { Seed = 5 });
        var b = OpenLoop();
        var act = LocalEngine.Run(b.Build(), new KernelSettings { Seed = 5, Partitions = 3, Threads = 2 }, fx.System);
        Assert.Equal(seq.Digest, act.Digest);
        var ha = a.LoadGenerator.Total;
        Assert.Equal(2_000, ha.Count);
        Assert.Equal(7_930_560, ha.Min);                                           // someone found the server idle
        Assert.True(ha.Percentile(0.5) < ha.Percentile(0.99) && ha.Percentile(0.99) <= ha.Percentile(0.999));
        Assert.Equal((ha.Percentile(0.5), ha.Percentile(0.99), ha.Percentile(0.999)), (b.LoadGenerator.Total.Percentile(0.5), b.LoadGenerator.Total.Percentile(0.99), b.LoadGenerator.Total.Percentile(0.999)));

        var c = OpenLoop();
        SequentialEngine.Run(c.Build(), new KernelSettings { Seed = 6 });
        Assert.NotEqual(ha.Percentile(0.99), c.LoadGenerator.Total.Percentile(0.99));
    }
}
