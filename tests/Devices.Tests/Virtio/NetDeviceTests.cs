using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>A guest answering requests through virtio-net, its backend, NICs and a switch.</summary>
public sealed class NetDeviceTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static NetGuestRig OneRequest() => new() { Load = new() { Address = 1, Servers = [2], Requests = 1, StartAt = SimTime.FromMicroseconds(30) } };

    /// <summary>
    /// The guest has posted its 256 receive buffers long before (18.7 µs of refill); the request
    /// leaves the client at 30 µs. Hand-computed (2.6 GHz; the network path each way is 2,765,280 ps
    /// from NIC to host side, see NetworkTests):
    /// <list type="bullet">
    /// <item>the request reaches the backend at 32,965,280; its thread wakes: 4,400 + receive 1,820 + copy of 90 B (header + frame) 23 = 6,243 cycles = 2,401,154 → 35,366,434; signal 500 cycles = 192,308; the interrupt reaches the guest at 35,658,742.</item>
    /// <item>guest: interrupt 270 + receive 1,200 + one buffer refilled 190 + kick_prepare 30 (suppressed: the device keeps receive kicks off while it has buffers) = 1,690 cycles = 650,000 → 36,308,742; the answer: start_xmit 1,000 + descriptor 40 + kick_prepare 30 = 1,070 cycles = 411,538 → 36,720,280; the transmit kick's exit 638,462 + 100 ns.</item>
    /// <item>backend at 37,458,742: wake 4,400 + notification 300 + transmit 2,860 + copy 23 = 7,583 cycles = 2,916,538 → 40,375,280; 200 ns to NIC B; the client has the answer at 43,340,560: 13,340,560 after sending.</item>
    /// </list>
    /// </summary>
    [Fact]
    public void A_request_is_answered_by_the_guest_at_the_exact_time()
    {
        var rig = OneRequest();
        SequentialEngine.Run(rig.Build(), new KernelSettings());
        Assert.Equal(1, rig.LoadGenerator.Completed);
        Assert.Equal(13_340_560, rig.LoadGenerator.Total.Max);
        Assert.Equal(1, rig.BackendActor.RxPackets);
        Assert.Equal(1, rig.BackendActor.TxPackets);
        Assert.Equal(2, rig.Stub.Notifications);                    // the first refill's and the answer's
    }

    /// <summary>
    /// In a realm every receive buffer is mapped through the pool as it is posted (copied in: Linux
    /// ≥ 5.18 copies on every map), and a received packet is copied out by its length (12-byte header
    /// + 78-byte frame); the answer is copied in. So: 256 × 2,048 at start, then 90 out, 2,048 in for
    /// the buffer refilled, 90 in for the answer. The device never sees protected memory.
    /// </summary>
    [Fact]
    public void A_realm_bounces_every_packet_through_its_pool()
    {
        var rig = new NetGuestRig { Realm = true, Load = new() { Address = 1, Servers = [2], Requests = 1, StartAt = SimTime.FromMicroseconds(60) } };
        SequentialEngine.Run(rig.Build(), new KernelSettings());
        Assert.Equal(1, rig.LoadGenerator.Completed);
        Assert.Equal(256L * 2048 + 90 + 2048 + 90, rig.Pool!.BytesBounced);
        Assert.Equal(256 + 1 + 1 + 1, rig.Pool.Copies);
        Assert.Equal(256 + 1, rig.Pool.HighWaterSlots);
        Assert.Equal(0, rig.BackendActor.Counters.Errors);
    }

    /// <summary>
    /// A burst faster than the guest handles it (20,000 cycles, 7.7 µs, per received packet, while the
    /// backend delivers one every 0.7–2 µs), with a NAPI budget of 4: polls take up to 4 packets and
    /// stay in polling mode while more are pending, with interrupts off.
    /// </summary>
    private static NetGuestRig Burst() => new()
    {
        Load = new() { Address = 1, Servers = [2], Mode = VirtCca.Devices.Load.LoadMode.Open, RatePerSecond = 5_000_000, Requests = 40, StartAt = SimTime.FromMicroseconds(30) },
        DriverCosts = new VirtioDriverCosts { NapiBudget = 4, NetRxCycles = 20_000 },
    };

    [Fact]
    public void Under_a_burst_napi_polls_in_batches_of_its_budget()
    {
        var rig = Burst();
        SequentialEngine.Run(rig.Build(), new KernelSettings());
        Assert.Equal(40, rig.LoadGenerator.Completed);
        var c = rig.Driver.Counters;
        // Two receive interrupts (and the transmit queue's first signal) for 40 packets. The first poll
        // finds one packet and re-enables interrupts; after the second interrupt, nine full polls
        // follow with interrupts off, and the last takes 3 and re-enables them.
        Assert.Equal(3, rig.Stub.Interrupts);
        Assert.Equal(11, c.Polls);
        var perPoll = rig.Stub.Completions.Where(x => x.Completion.Data != null).GroupBy(x => x.Time).Select(g => g.Count()).ToList();
        Assert.Equal(40, perPoll.Sum());
        Assert.All(perPoll, n => Assert.InRange(n, 1, 4));
        Assert.Equal("1,4,4,4,4,4,4,4,4,4,3", string.Join(",", perPoll));
        Assert.Equal(0, rig.BackendActor.RxDropped);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = Burst();
        var seq = SequentialEngine.Run(a.Build(), new KernelSettings());
        var b = Burst();
        var act = LocalEngine.Run(b.Build(), new KernelSettings { Partitions = 3, Threads = 2 }, fx.System);
        Assert.Equal(seq.Digest, act.Digest);
        Assert.Equal(a.Log, b.Log);
        Assert.Equal(a.LoadGenerator.Total.Percentile(0.99), b.LoadGenerator.Total.Percentile(0.99));
    }
}
