using VirtCca.Devices.Gic;

namespace VirtCca.Devices.Tests;

/// <summary>Routing by MPIDR affinity: GICD_IROUTER for SPIs, ICC_SGI1R_EL1 for SGIs.</summary>
public sealed class GicAffinityTests
{
    // Affinities unlike the default layout, so that anything routing by CPU index goes visibly wrong.
    private static readonly Affinity[] Sparse = [new(0, 0, 0, 0), new(0, 0, 1, 0), new(0, 1, 0, 0), new(1, 0, 0, 0)];

    [Fact]
    public void The_default_layout_puts_sixteen_cpus_in_each_cluster()
    {
        var gic = new Gicv3(cpus: 40);
        Assert.Equal(new Affinity(0, 0, 0, 0), gic.AffinityOf(0));
        Assert.Equal(new Affinity(0, 0, 0, 15), gic.AffinityOf(15));
        Assert.Equal(new Affinity(0, 0, 1, 1), gic.AffinityOf(17));
        Assert.Equal(new Affinity(0, 0, 2, 7), gic.AffinityOf(39));
        Assert.Equal(39, gic.CpuOf(new Affinity(0, 0, 2, 7)));
        Assert.Null(gic.CpuOf(new Affinity(0, 0, 2, 8)));
    }

    [Fact]
    public void Past_4096_cpus_the_default_layout_goes_on_in_aff2()
    {
        Assert.Equal(new Affinity(0, 0, 255, 15), Affinity.ForCpu(4095));
        Assert.Equal(new Affinity(0, 1, 0, 0), Affinity.ForCpu(4096));
        Assert.Equal(new Affinity(0, 3, 255, 15), Affinity.ForCpu(16_383));
        Assert.Throws<ArgumentOutOfRangeException>(() => Affinity.ForCpu(Affinity.MaxCpus));
        var gic = new Gicv3(cpus: 16_384);
        Assert.Equal(16_383, gic.CpuOf(new Affinity(0, 3, 255, 15)));
        // An SGI to Aff2 = 1, Aff1 = 0, targets 0 and 1 (ICC_SGI1R_EL1: Aff2 [39:32], TargetList [15:0]) reaches CPUs 4096 and 4097.
        Assert.Equal([4096, 4097], gic.RaiseSgi(1UL << 32 | 0b11 | 1UL << 24, senderCpu: 0));
    }

    [Fact]
    public void An_spi_goes_to_the_cpu_whose_affinity_its_irouter_holds()
    {
        var gic = new Gicv3(Sparse);
        gic.Distributor.SetRouter(50, 1UL << 32);               // Aff3 = 1: CPU 3
        gic.Distributor.SetRouter(51, 1UL << 8);                // Aff1 = 1: CPU 1
        Assert.Equal(3, gic.Raise(50));
        Assert.Equal(1, gic.Raise(51));
        Assert.Equal(50, gic.HighestPending(3, InterruptGroup.Group1NonSecure));
        Assert.Equal(51, gic.HighestPending(1, InterruptGroup.Group1NonSecure));
        gic.Route(52, 2);                                        // the compatible call writes CPU 2's affinity
        Assert.Equal(1UL << 16, gic.Distributor.Router(52));
    }

    [Fact]
    public void An_irouter_naming_no_cpu_leaves_the_spi_pending_and_unsignalled()
    {
        var gic = new Gicv3(Sparse);
        gic.Distributor.SetRouter(60, 2);                        // Aff0 = 2: a CPU index, not an affinity here
        Assert.Equal(-1, gic.Raise(60));
        Assert.All(Enumerable.Range(0, 4), c => Assert.Null(gic.HighestPending(c, InterruptGroup.Group1NonSecure)));
        gic.Route(60, 2);                                        // routed properly, it is delivered
        Assert.Equal(60, gic.Acknowledge(2, InterruptGroup.Group1NonSecure));
    }

    [Fact]
    public void Routing_mode_any_picks_the_lowest_numbered_cpu()
    {
        var gic = new Gicv3(Sparse);
        gic.Distributor.SetRouter(70, Distributor.RoutingModeAny | 1UL << 32);
        Assert.Equal(0, gic.Raise(70));
        Assert.Equal(70, gic.HighestPending(0, InterruptGroup.Group1NonSecure));
        Assert.Null(gic.HighestPending(3, InterruptGroup.Group1NonSecure));
    }

    [Fact]
    public void Icc_sgi1r_fields_decode_from_their_architectural_bits()
    {
        ulong value = 0x00AB_0000_0000_0000UL | 1UL << 40 | 0x3UL << 44 | 0xCDUL << 32 | 0xEFUL << 16 | 0x9UL << 24 | 0x8001;
        Assert.Equal(new IccSgi1r(Intid: 9, TargetList: 0x8001, Aff1: 0xEF, Aff2: 0xCD, AllButSelf: true, RangeSelector: 3, Aff3: 0xAB), IccSgi1r.Decode(value));
        Assert.Equal(value, IccSgi1r.Decode(value).Encode());
    }

    [Fact]
    public void An_sgi1r_target_list_names_cpus_in_one_cluster_by_aff0()
    {
        var gic = new Gicv3(cpus: 40);
        // INTID 5 to Aff1 = 1, Aff0 = 0 and 3: CPUs 16 and 19; the sender (16) may target itself.
        ulong value = 5UL << 24 | 1UL << 16 | 0b1001;
        Assert.Equal(new[] { 16, 19 }, gic.RaiseSgi(value, senderCpu: 16));
        Assert.True(gic.State(16, 5).Pending);
        Assert.True(gic.State(19, 5).Pending);
        Assert.False(gic.State(3, 5).Pending);                   // Aff0 = 3 of cluster 0 is not named
        Assert.Empty(gic.RaiseSgi(5UL << 24 | 1UL << 32 | 1, senderCpu: 0)); // Aff2 = 1: no such CPU
        Assert.Empty(gic.RaiseSgi(5UL << 24 | 1UL << 44 | 1, senderCpu: 0)); // RS = 1 → Aff0 = 16: none in this layout
    }

    [Fact]
    public void An_sgi1r_with_irm_set_goes_to_every_cpu_but_the_sender()
    {
        var gic = new Gicv3(Sparse);
        Assert.Equal(new[] { 0, 1, 3 }, gic.RaiseSgi(2UL << 24 | 1UL << 40 | 0xFFFF, senderCpu: 2)); // TargetList ignored
        Assert.False(gic.State(2, 2).Pending);
        Assert.True(gic.State(3, 2).Pending);
    }

    [Fact]
    public void Sgi1r_targets_by_affinity_not_by_cpu_index()
    {
        var gic = new Gicv3(Sparse);
        // TargetList bit 0 with Aff1 = 1 is affinity 0.0.1.0: CPU 1. Bit 1 of cluster 0 (Aff0 = 1) is nobody.
        Assert.Equal(new[] { 1 }, gic.RaiseSgi(7UL << 24 | 1UL << 16 | 1, senderCpu: 0));
        Assert.Empty(gic.RaiseSgi(7UL << 24 | 0b10, senderCpu: 0));
    }
}

/// <summary>The GIC component taking an ICC_SGI1R_EL1 value: every named PE is signalled at the exact time.</summary>
public sealed class GicSgi1rActorTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("gic-sgi1r-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>PE 0 writes ICC_SGI1R_EL1 at t = 0; every PE acknowledges and EOIs what it is signalled and logs it.</summary>
    private sealed class Pe(int gic, ulong? sgi1r, List<string> log) : Component
    {
        public override void Start(ISimContext ctx) { if (sgi1r is { } v) ctx.Send(gic, GicActor.KindSgiByRegister, (long)v); }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            log.Add($"{ev.Time}:{ctx.Self}:{ev.Kind:X}:{ev.Arg}");
            if (ev.Kind == GicActor.KindSignal) ctx.Send(gic, GicActor.KindAcknowledge, (long)InterruptGroup.Group1NonSecure);
            else if (ev.Kind == GicActor.KindAcknowledged && ev.Arg != 1023) ctx.Send(gic, GicActor.KindEoi, ev.Arg);
        }
    }

    private static (FactoryModel, List<string>) Build(ulong sgi1r)
    {
        var log = new List<string>();
        var b = new Topology.Builder();
        int[] pes = Enumerable.Range(0, 3).Select(i => b.Add($"pe{i}")).ToArray();
        int g = b.Add("gic");
        foreach (int pe in pes) b.Link(pe, g, SimTime.FromNanoseconds(100));
        return (new FactoryModel("test", b.Build(), id => id == g ? new GicActor(new Gicv3(3), pes, new GicCosts())
            : new Pe(g, id == pes[0] ? sgi1r : null, log)), log);
    }

    [Fact]
    public void Irm_reaches_every_other_pe_at_the_exact_time()
    {
        var (model, log) = Build(1UL << 40 | 4UL << 24);
        LocalEngine.Run(model, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        // 100 ns to the GIC, 500 cycles at 2.6 GHz (192,308 ps), 100 ns back; the sender (component 0) is not signalled.
        Assert.Equal(new[] { "392308:1:6310:4", "392308:2:6310:4", "592308:1:6311:4", "592308:2:6311:4" }, log.Order());
    }

    [Fact]
    public void A_target_list_signals_only_the_named_pe()
    {
        var (model, log) = Build(4UL << 24 | 0b100);             // Aff0 = 2 in cluster 0: CPU 2
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(new[] { "392308:2:6310:4", "592308:2:6311:4" }, log);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = SequentialEngine.Run(Build(1UL << 40 | 4UL << 24).Item1, new KernelSettings());
        var b = LocalEngine.Run(Build(1UL << 40 | 4UL << 24).Item1, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        Assert.Equal(a.Digest, b.Digest);
    }
}
