using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

/// <summary>
/// The residency mechanism with a toy PE/vCPU pair. The vCPU's guest computes in 1000 ps slices and
/// traps every 3 slices; the PE runs it by direct request/reply ("run from now until your next
/// exit"), charges 500 ps per exit and re-enters. A device kicks the vCPU at 4200 ps: the kick goes
/// to the PE (the vCPU is running), which stops the guest there — as hardware takes an IRQ exit.
/// </summary>
public sealed class ResidencyTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const int Enter = 1, Exit = 2, Kick = 3;

    private sealed class ToyVcpu : Component
    {
        public long GuestTime;          // guest progress, ps
        public long Slices;

        /// <summary>Run from <paramref name="now"/>; returns when the next trap happens (3 slices on).</summary>
        public long RunUntilExit(long now) => now + (3 - Slices % 3) * 1000;

        /// <summary>The PE stopped the guest at <paramref name="at"/> (a trap or an interrupt).</summary>
        public void StoppedAt(long enteredAt, long at)
        {
            Slices += (at - enteredAt) / 1000;
            GuestTime += at - enteredAt;
        }

        public override void Handle(in SimEvent ev, ISimContext ctx) =>
            throw new InvalidOperationException("a resident vCPU gets no events: they go to its PE");
    }

    private sealed class ToyPe(int vcpu, List<string> log) : Component
    {
        private long _enteredAt, _run;

        public override void Start(ISimContext ctx) => ctx.Schedule(SimTime.Zero, Enter);

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            var v = ctx.Resident<ToyVcpu>(vcpu);
            long now = ctx.Now.Picoseconds;
            switch (ev.Kind)
            {
                case Enter:
                    _enteredAt = now;
                    _run++;
                    ctx.Schedule(new SimTime(v.RunUntilExit(now) - now), Exit, _run);
                    break;
                case Exit when ev.Arg == _run: // an exit of a run the kick has not cut short
                    v.StoppedAt(_enteredAt, now);
                    log.Add($"{now}:trap");
                    if (now < 9000) ctx.Schedule(new SimTime(500), Enter);
                    break;
                case Kick:
                    v.StoppedAt(_enteredAt, now);
                    _run++; // the pending trap of the interrupted run is void
                    log.Add($"{now}:irq");
                    ctx.Schedule(new SimTime(500), Enter);
                    break;
            }
        }
    }

    private sealed class Device(int pe) : Component
    {
        public override void Start(ISimContext ctx) => ctx.Send(pe, Kick, extraDelay: new SimTime(4200 - 100));
        public override void Handle(in SimEvent ev, ISimContext ctx) { }
    }

    private static (FactoryModel Model, List<string> Log, Func<ToyVcpu> Vcpu) Build(bool samePartition)
    {
        var log = new List<string>();
        ToyVcpu? vcpu = null;
        var b = new Topology.Builder();
        int pe = b.Add("pe0", 0), v = b.Add("vcpu0", samePartition ? 0 : 1), dev = b.Add("device", 2);
        b.Link(dev, pe, new SimTime(100)).Link(pe, v, new SimTime(100));
        var model = new FactoryModel("scripted", b.Build(), id => id switch
        {
            0 => new ToyPe(v, log),
            1 => vcpu = new ToyVcpu(),
            _ => new Device(pe),
        });
        return (model, log, () => vcpu!);
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("actors")]
    public void Pe_drives_its_resident_vcpu_and_a_kick_makes_it_exit_at_the_exact_time(string engine)
    {
        var (model, log, vcpu) = Build(samePartition: true);
        var s = new KernelSettings { EndTime = new SimTime(20_000), Partitions = 3, Threads = 2 };
        var r = engine == "sequential" ? SequentialEngine.Run(model, s) : LocalEngine.Run(model, s, fx.System);
        // Enter 0 -> trap 3000; +500 enter 3500 -> irq 4200 (0 slices counted: 700 ps < a slice);
        // enter 4700 -> trap at 4700 + 3 slices = 7700; enter 8200 -> trap 11200, then stop.
        Assert.Equal(new[] { "3000:trap", "4200:irq", "7700:trap", "11200:trap" }, log);
        Assert.Equal(3000 + 700 + 3000 + 3000, vcpu().GuestTime);
        Assert.Equal(new SimTime(11_200), r.LastEventTime);
    }

    [Fact]
    public void Both_engines_agree_on_the_digest()
    {
        var s = new KernelSettings { EndTime = new SimTime(20_000), Partitions = 2, Threads = 2 };
        var a = SequentialEngine.Run(Build(true).Model, s);
        var b = LocalEngine.Run(Build(true).Model, s, fx.System);
        Assert.Equal(a.Digest, b.Digest);
    }

    [Fact]
    public void Driving_a_component_of_another_partition_is_refused()
    {
        var (model, _, _) = Build(samePartition: false);
        var s = new KernelSettings { EndTime = new SimTime(20_000), Partitions = 3, Threads = 1 };
        var ex = Assert.Throws<SimulationException>(() => LocalEngine.Run(model, s, fx.System));
        Assert.Contains("not in the same partition", ex.Message);
    }
}
