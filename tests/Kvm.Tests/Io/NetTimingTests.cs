using VirtCca.Devices.Load;
using VirtCca.Launcher.Composition.Network;
using static VirtCca.Kvm.Tests.Io.IoMachines;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>
/// One request over the network: a load generator on a client machine, a switch, a server machine
/// whose guest serves it through virtio-net (bridge, vhost-net worker, irqfd, the driver's NAPI
/// handler, its notify), and back — timed by hand from the platform's and the network's costs.
/// </summary>
public sealed class NetTimingTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const long Service = 2_600; // the server's work per request (1 µs)

    // Each way on the wire: a 78-byte frame (14-byte header, 64-byte payload) is 102 bytes on the wire
    // (FCS, 64-byte minimum, preamble and gap): 32,640 ps at 25 Gb/s; NIC–switch links 1 µs; the switch
    // forwards after 500 ns and serialises again on its output port.
    private static readonly long Wire = 32_640 + Ns(1_000) + Ns(500) + 32_640 + Ns(1_000);
    // Generator ⇄ its NIC, and the server's NIC ⇄ bridge: PCIe (200 ns); bridge ⇄ backend: io-ns (100 ns).
    private static readonly long ClientSide = Ns(200), ServerSide = Ns(200) + Ns(100);
    // The vhost-net worker receives: wakes (4,400), per-packet work (1,820), copies 12 + 78 bytes (23); writes the used ring and signals (500); to the irqfd.
    private static readonly long Receive = Ps(4_400 + 1_820 + 23) + Ps(500) + Ns(100);
    // The worker transmits after the notify: wakes (4,400), takes the ioeventfd (300), per-packet work (2,860), copies 90 bytes (23).
    private static readonly long Transmit = Ps(4_400 + 300 + 2_860 + 23);

    private static NetworkModel Model(PlatformConfiguration config) =>
        Network(WithDevices(config, [[new Serve(null, Service, Requests: 1)]], Eth),
            new LoadSettings { Requests = 1, StartAt = SimTime.FromMicroseconds(1_000) }); // the guest (a realm: once created) has opened its device by then

    private static long Latency(NetworkModel m)
    {
        var g = m.Generators.Single(x => x != null)!;
        Assert.Equal((1, 1), (g.Sent, g.Completed));
        return g.Total.Max;
    }

    [Fact]
    public void A_request_to_a_vm_on_another_machine_takes_exactly_its_hops_on_both_engines()
    {
        long server =
            Ns(100)                                  // the vGIC update reaches the halted vCPU's CPU; the VM is entered at once
            + Ps(270 + 1_200 + 150 + 40 + 30)        // the receive interrupt: NAPI polls one packet, refills one buffer (kick suppressed)
            + Ps(Service)
            + Ps(1_000 + 40 + 30)                    // start_xmit: the response's descriptor and kick_prepare
            + Ps(530) + Ps(1_130) + Ns(100);         // the notify exits to KVM's ioeventfd; to the backend
        long expected = ClientSide + Wire + ServerSide + Receive + server + Transmit + ServerSide + Wire + ClientSide;
        Assert.Equal(14_640_559, expected);
        var seq = Model(PlatformConfiguration.Baseline);
        var s = SequentialEngine.Run(seq, new KernelSettings());
        var act = Model(PlatformConfiguration.Baseline);
        var a = LocalEngine.Run(act, new KernelSettings { Partitions = 3, Threads = 2 }, fx.System);
        Assert.Equal(expected, Latency(seq));
        Assert.Equal(expected, Latency(act));
        Assert.Equal(s.Digest, a.Digest);
        Assert.Equal(Ns(1_000), a.Sync.Lookahead); // only the NIC–switch links cross partitions
    }

    [Fact]
    public void A_request_to_a_realm_adds_its_bounces_and_world_switches_exactly()
    {
        long server =
            Ns(100) + Ps(235) + Ps(800) + Ps(500)                       // REC_ENTER wakes the halted realm vCPU
            + Ps(270 + 1_200 + 150 + 40 + 30 + 23 + 300 + 532)          // + the packet's 90 bytes copied out, the new buffer mapped and its 2 KiB copied in
            + Ps(Service)
            + Ps(1_000 + 40 + 30 + 300 + 23)                            // + the response mapped and copied into the pool
            + Ps(530) + Ps(500) + Ps(235) + Ps(800) + Ps(1_130) + Ns(100); // the notify exits through the TMM and EL3 to KVM
        long expected = ClientSide + Wire + ServerSide + Receive + server + Transmit + ServerSide + Wire + ClientSide;
        Assert.Equal(16_274_406, expected);
        var m = Model(PlatformConfiguration.VirtccaSel2);
        SequentialEngine.Run(m, new KernelSettings());
        Assert.Equal(expected, Latency(m));
        var io = m.Machines[0]!.IoRun!.Guests[0]!;
        Assert.Equal(1, io.Metrics.Served);
    }
}
