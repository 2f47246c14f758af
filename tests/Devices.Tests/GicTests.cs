using VirtCca.Devices.Gic;

namespace VirtCca.Devices.Tests;

public sealed class Gicv3Tests
{
    [Fact]
    public void Priority_then_intid_decides_and_the_running_priority_masks_until_eoi()
    {
        var gic = new Gicv3(cpus: 2);
        gic.State(0, 40).Priority = 0x80; gic.Route(40, 0);
        gic.State(0, 5).Priority = 0x40;
        gic.State(0, 3).Priority = 0x40;
        gic.Raise(40); gic.Raise(5, 0); gic.Raise(3, 0);
        Assert.Equal(3, gic.Acknowledge(0, InterruptGroup.Group1NonSecure));    // 0x40 beats 0x80; INTID 3 beats 5
        Assert.Equal(1023, gic.Acknowledge(0, InterruptGroup.Group1NonSecure)); // 5 has the same priority: masked while 3 runs
        Assert.False(gic.EndOfInterrupt(0, 5));
        Assert.True(gic.EndOfInterrupt(0, 3));
        Assert.Equal(5, gic.Acknowledge(0, InterruptGroup.Group1NonSecure));
        Assert.Equal(1023, gic.Acknowledge(0, InterruptGroup.Group1NonSecure)); // 40 (0x80) is less urgent than running 5 (0x40)
        Assert.True(gic.EndOfInterrupt(0, 5));
        Assert.Equal(40, gic.Acknowledge(0, InterruptGroup.Group1NonSecure));
    }

    [Fact]
    public void Spis_follow_their_route_sgis_are_banked_and_groups_are_separate()
    {
        var gic = new Gicv3(cpus: 4);
        gic.Route(77, 3);
        Assert.Equal(3, gic.Raise(77));
        Assert.Null(gic.HighestPending(0, InterruptGroup.Group1NonSecure));
        Assert.Equal(77, gic.HighestPending(3, InterruptGroup.Group1NonSecure));
        gic.Raise(1, targetCpu: 2);
        Assert.Null(gic.HighestPending(1, InterruptGroup.Group1NonSecure));     // banked: only CPU 2 has it
        gic.State(2, 1).Group = InterruptGroup.Group0;
        Assert.Null(gic.HighestPending(2, InterruptGroup.Group1NonSecure));
        Assert.Equal(1, gic.Acknowledge(2, InterruptGroup.Group0));
    }

    [Fact]
    public void List_registers_encode_as_ich_lr()
    {
        var lr = new ListRegister(27, 0xA0, InterruptGroup.Group1NonSecure, ListRegisterState.Pending);
        Assert.Equal(27UL | 0xA0UL << 48 | 1UL << 60 | 1UL << 62, lr.Encode());
    }
}

public sealed class GicActorTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("gic-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>PE 0 sends SGI 1 to CPU 1 at t = 0; PE 1 acknowledges each signal and EOIs it; both log what they see.</summary>
    private sealed class Pe(int gic, bool sender, List<string> log) : Component
    {
        public override void Start(ISimContext ctx) { if (sender) ctx.Send(gic, GicActor.KindSgi, 1L << 16 | 1); }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            log.Add($"{ev.Time}:{ctx.Self}:{ev.Kind:X}:{ev.Arg}");
            if (ev.Kind == GicActor.KindSignal) ctx.Send(gic, GicActor.KindAcknowledge, (long)InterruptGroup.Group1NonSecure);
            else if (ev.Kind == GicActor.KindAcknowledged && ev.Arg != 1023) ctx.Send(gic, GicActor.KindEoi, ev.Arg);
        }
    }


    private static (FactoryModel, List<string>) Build()
    {
        var log = new List<string>();
        var b = new Topology.Builder();
        int pe0 = b.Add("pe0"), pe1 = b.Add("pe1"), g = b.Add("gic");
        b.Link(pe0, g, SimTime.FromNanoseconds(100)).Link(pe1, g, SimTime.FromNanoseconds(100));
        return (new FactoryModel("test", b.Build(), id => id == g ? new GicActor(new Gicv3(2), [pe0, pe1], new GicCosts()) : new Pe(g, id == pe0, log)), log);
    }

    [Fact]
    public void An_sgi_arrives_at_the_target_pe_at_the_exact_time()
    {
        var (model, log) = Build();
        LocalEngine.Run(model, new KernelSettings { Partitions = 3, Threads = 2 }, _system);
        // 100 ns to the GIC, 500 cycles at 2.6 GHz (192,308 ps) of SGI latency, 100 ns to PE 1.
        Assert.Equal(new[] { "392308:1:6310:1", "592308:1:6311:1" }, log);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = SequentialEngine.Run(Build().Item1, new KernelSettings());
        var b = LocalEngine.Run(Build().Item1, new KernelSettings { Partitions = 3, Threads = 2 }, _system);
        Assert.Equal(a.Digest, b.Digest);
    }
}
