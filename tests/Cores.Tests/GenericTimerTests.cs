using Akka.Actor;
using Akka.Configuration;
using VirtCca.Cores.Timers;
using VirtCca.Devices.Gic;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Cores.Tests;

public sealed class GenericTimerTests
{
    [Fact]
    public void Fires_at_the_exact_time_of_its_compare_value()
    {
        var t = new GenericTimer(TimerKind.Physical, cntfrqHz: 100_000_000); // 10 ns per tick
        t.Arm(compareValue: 1_234);
        Assert.Equal(new SimTime(12_340_000), t.FiresAt(SimTime.Zero));
        Assert.Equal(new SimTime(20_000_000), t.FiresAt(new SimTime(20_000_000))); // already due: now
        t.Arm(1_234, mask: true);
        Assert.Null(t.FiresAt(SimTime.Zero));
        t.Disable();
        Assert.Null(t.FiresAt(SimTime.Zero));
    }

    [Fact]
    public void The_virtual_timer_counts_minus_the_offset()
    {
        var v = new GenericTimer(TimerKind.Virtual, 100_000_000, virtualOffset: 1_000);
        Assert.Equal(500UL, v.Count(new SimTime(15_000_000)));
        v.Arm(500);
        Assert.Equal(new SimTime(15_000_000), v.FiresAt(SimTime.Zero));
        Assert.Equal(GenericTimer.VirtualPpi, v.Ppi);
    }

    /// <summary>A PE that arms its virtual timer at start and, when it fires, raises the PPI at its GIC redistributor.</summary>
    private sealed class TimerPe(int gic, List<string> log) : Component
    {
        private readonly GenericTimer _timer = new(TimerKind.Virtual, 100_000_000);

        public override void Start(ISimContext ctx)
        {
            _timer.Arm(700); // 7 us
            ctx.Schedule(_timer.FiresAt(ctx.Now)!.Value - ctx.Now, 1);
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            log.Add($"{ev.Time}:{ev.Kind:X}:{ev.Arg}");
            if (ev.Kind == 1) ctx.Send(gic, GicActor.KindSgi, _timer.Ppi); // PPIs are banked like SGIs: target CPU 0
        }
    }


    [Fact]
    public async Task The_timer_ppi_reaches_the_pe_at_the_exact_time_on_both_engines()
    {
        var logs = new List<List<string>>();
        foreach (var engine in new[] { "sequential", "actors" })
        {
            var log = new List<string>();
            var b = new Topology.Builder();
            int pe = b.Add("pe0"), g = b.Add("gic");
            b.Link(pe, g, SimTime.FromNanoseconds(20));
            var model = new FactoryModel("test", b.Build(), id => id == pe ? new TimerPe(g, log) : new GicActor(new Gicv3(1), [pe], new GicCosts(SgiCycles: 0)));
            if (engine == "sequential") SequentialEngine.Run(model, new KernelSettings());
            else
            {
                using var system = ActorSystem.Create("timer", ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));
                LocalEngine.Run(model, new KernelSettings { Partitions = 2, Threads = 2 }, system);
                await system.Terminate();
            }
            logs.Add(log);
        }
        // The timer event at exactly 7 us; the PPI signal back from the GIC 2 x 20 ns later.
        Assert.Equal(new[] { "7000000:1:0", "7040000:6310:27" }, logs[0]);
        Assert.Equal(logs[0], logs[1]);
    }
}
