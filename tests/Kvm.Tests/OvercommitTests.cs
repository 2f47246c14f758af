using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>More vCPUs than PEs: the host scheduler time-slices the vCPU threads placed on a PE.</summary>
public sealed class OvercommitTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static MachineSpec Spec(PlatformConfiguration config) => MachineSpec.OneGuest(config,
        Enumerable.Repeat<IReadOnlyList<Op>>([new Compute(2_080_000)], 4).ToArray(), pes: 2) with // 0.8 ms each
    {
        Scheduler = new SchedulerSpec { TimeSlice = SimTime.FromMicroseconds(500), ContextSwitchCycles = 5_200 },
    };

    [Fact]
    public void Four_vcpus_on_two_pes_share_them_in_time_slices_at_the_exact_times()
    {
        var m = new Machine(Spec(PlatformConfiguration.Baseline));
        SequentialEngine.Run(m.Model, new KernelSettings());
        // vCPUs 0 and 2 on PE 0 (round robin). 0 runs 0.5 ms; the host's tick takes it out (trap 530 + KVM 530
        // cycles) and the scheduler decides for 2, whose slice counts from that decision, so the switch (5,200
        // cycles) eats into it; back to 0 for its last 0.3 ms; its program ends, so it gives the CPU up at once
        // (an IRQ exit), and 2 runs what it has left.
        long exit = 2 * Machines.Ps(530), sw = Machines.Ps(5_200), slice = 500_000_000, zeroLeft = 300_000_000;
        long twoDecided = slice + exit, zeroDecided = twoDecided + slice + exit, zeroEnds = zeroDecided + sw + zeroLeft, twoDecidedAgain = zeroEnds + exit;
        long twoLeft = 2 * Machines.Ps(1_040_000) - (slice - sw); // 0.8 ms less what it ran of its first slice
        long end = twoDecidedAgain + sw + twoLeft;
        var l = m.Pes[0].Ledger;
        Assert.Equal(end, l.Cursor);
        Assert.Equal(2 * Machines.Ps(2_080_000), l[TimeCategory.Guest]);
        Assert.Equal(3 * exit + 3 * sw, l[TimeCategory.Kvm]);
        Assert.Equal(0, l[TimeCategory.Idle]);
        var k = (Host.KvmCpu)m.Pes[0].Host!;
        Assert.Equal(3, k.ContextSwitches);
        // Each waits from when the scheduler put it aside until it picks it again (vCPU 2 also from the start).
        Assert.Equal(zeroDecided - twoDecided, m.Kvm(0).WaitPicoseconds);
        Assert.Equal(twoDecided + (twoDecidedAgain - zeroDecided), m.Kvm(2).WaitPicoseconds);
        Assert.Equal(3, m.Exits(0, ExitKind.Irq) + m.Exits(2, ExitKind.Irq));
        Assert.Equal(m.Pes[0].Ledger.Breakdown.ToString(), m.Pes[1].Ledger.Breakdown.ToString()); // PE 1 does the same with 1 and 3
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void Overcommitted_guests_finish_every_program_the_same_on_both_engines(PlatformConfiguration config)
    {
        var s = new Machine(Spec(config));
        var seq = SequentialEngine.Run(s.Model, new KernelSettings());
        var a = new Machine(Spec(config));
        var act = LocalEngine.Run(a.Model, new KernelSettings { Threads = 2, Partitions = 2 }, fx.System);
        Assert.Equal(seq.Digest, act.Digest);
        Assert.All(s.Vcpus, v => Assert.True(v.Finished));
        Assert.All(Enumerable.Range(0, 4), v => Assert.True(s.Kvm(v).WaitPicoseconds > 0));
        Assert.All(s.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
    }
}
