using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// A two-vCPU guest playing IPI ping-pong, each vCPU on its own PE: the SGI write traps, KVM marks the
/// virtual SGI pending for the other vCPU and kicks its PE through the GicActor, and the receiver takes
/// it from a list register on its next entry.
/// </summary>
public sealed class IpiTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const int Rounds = 20;

    private static Machine Build(PlatformConfiguration config) => Machines.Build(config,
    [
        [new Loop(Rounds, [new Compute(5_000), new SendIpi(1), new WaitInterrupt()])],
        [new Loop(Rounds, [new WaitInterrupt(), new Compute(3_000), new SendIpi(0)])],
    ]);

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void The_ping_pong_gives_the_same_digest_on_the_actor_and_sequential_engines(PlatformConfiguration config)
    {
        var sequential = Build(config);
        var s = SequentialEngine.Run(sequential.Model, new KernelSettings());
        var actors = Build(config);
        var a = LocalEngine.Run(actors.Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);

        Assert.Equal(s.Digest, a.Digest);
        Assert.Equal(s.Events, a.Events);
        Assert.Equal(s.LastEventTime, a.LastEventTime);
        foreach (var m in new[] { sequential, actors })
        {
            Assert.All(m.Vcpus, v => Assert.Equal(Rounds, v.InterruptsTaken));
            Assert.All(m.Vcpus, v => Assert.Equal(3 * Rounds, v.OpsRetired)); // every op of both programs retired
            // Each wakes its blocked peer with the vGIC update; the GIC's kick then finds nothing to inject.
            Assert.Equal(0, m.Exits(0, ExitKind.Irq) + m.Exits(1, ExitKind.Irq));
            Assert.Equal([Rounds, Rounds], new[] { m.Kvm(0).IpisSent, m.Kvm(1).IpisSent });
            Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
        }
        Assert.Equal(sequential.Pes.Select(p => p.Ledger.Breakdown.ToString()), actors.Pes.Select(p => p.Ledger.Breakdown.ToString()));
    }

    [Fact]
    public void The_first_ipi_reaches_the_waiting_vcpu_at_the_exact_time()
    {
        var m = Build(PlatformConfiguration.Baseline);
        SequentialEngine.Run(m.Model, new KernelSettings { EndTime = SimTime.FromMicroseconds(5) });
        // vCPU 0 computes 5000 cycles, traps (530), KVM emulates the SGI write (530) and sends the vGIC update
        // to PE 1 (100 ns link): vCPU 1, blocked in WFI since its first exit, wakes exactly then.
        long sent = Machines.Ps(5_000) + Machines.Ps(530) + Machines.Ps(530);
        long woken = sent + 100_000;
        var pe1 = m.Pes[1].Ledger;
        Assert.Equal(woken - (Machines.Ps(530) + Machines.Ps(530)), pe1[TimeCategory.Idle]);
        Assert.True(pe1.Cursor >= woken);
    }

    [Fact]
    public void A_running_target_is_kicked_out_through_the_gic_at_the_exact_time()
    {
        var m = Run(PlatformConfiguration.Baseline, [new Compute(5_000), new SendIpi(1, Intid: 3)], [new Compute(260_000), new Hypercall()]);
        // KVM on PE 0 sends the kick when its handler ends; PE -> GIC (100 ns), gic.psgi (500 cycles), GIC -> PE (100 ns).
        long sent = Machines.Ps(5_000) + Machines.Ps(530) + Machines.Ps(530);
        Assert.Equal(sent + 200_000 + Machines.Ps(500), m.Pes[1].Stats.LastIrqExit.Picoseconds);
        Assert.Equal(1, m.Exits(1, ExitKind.Irq));
        Assert.Equal(new Dictionary<int, long> { [3] = 1 }, m.Kvm(1).Vcpu.InterruptsByIntid);
        var l = m.Pes[1].Ledger;
        Assert.Equal(Machines.Ps(260_000) + Machines.Ps(270), l[TimeCategory.Guest]); // all its work plus the SGI's handler
        Assert.Equal(l.Cursor, l.Breakdown.Total);
        Assert.True(m.GicActor!.Gic.State(1, PeHostIrq.KickSgi) is { Pending: false, Active: false }); // acknowledged and EOIed
    }
}
