using VirtCca.Cores.Timers;
using VirtCca.Cores.Workloads;
using VirtCca.SecureMonitor;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>The PE's virtual timer, armed by the guest, fires its PPI at the exact counter tick.</summary>
public sealed class PeTimerTests
{
    private const long TickPs = 10_000; // 100 MHz counter
    private static readonly long Handler = Ps(200 + 70); // guest.irq-handler + gic.veoi

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_running_guest_exits_at_the_exact_tick_its_timer_fires(PlatformConfiguration config)
    {
        var m = GuestExitTests.Run(config, [new ArmTimer(700), new Compute(2_600_000), new Hypercall()]);
        var pe = m.Pes[0];
        long armedAt = Ps(WorldSwitch.GuestEntryLeg(config, Ws));
        long fires = (armedAt / TickPs + 700) * TickPs;
        Assert.Equal(fires, pe.Stats.LastTimerFire.Picoseconds);
        Assert.Equal(1, pe.Stats.TimerFires);
        Assert.Equal(1, pe.Stats.Exits[(int)Pe.ExitReason.Irq]);
        Assert.Equal(1, m.Vcpus[0].InterruptsTaken);
        Assert.Equal(new Dictionary<int, long> { [GenericTimer.VirtualPpi] = 1 }, m.Vcpus[0].InterruptsByIntid); // PPI 27, through a list register

        // Guest time: the whole compute plus the handler; the rest: one entry, two exits with re-entry.
        var l = pe.Ledger;
        Assert.Equal(Ps(2_600_000) + Handler, l[TimeCategory.Guest]);
        Assert.Equal(armedAt + Ps(2_600_000) + Handler + 2 * Ps(WorldSwitch.GuestExit(config, Ws)), l.Cursor);
        Assert.Equal(l.Cursor, l.Breakdown.Total);
    }

    [Fact]
    public void A_guest_waiting_in_wfi_is_woken_by_its_timer_and_the_wait_is_idle_time()
    {
        var m = GuestExitTests.Run(PlatformConfiguration.Baseline, [new ArmTimer(500), new WaitInterrupt(), new Hypercall()]);
        var pe = m.Pes[0];
        long exit = Ps(530) + Ps(530);
        Assert.Equal(5_000_000, pe.Stats.LastTimerFire.Picoseconds);
        Assert.Equal(1, pe.Stats.Exits[(int)Pe.ExitReason.Wfi]);
        var l = pe.Ledger;
        Assert.Equal(5_000_000 - exit, l[TimeCategory.Idle]);
        Assert.Equal(5_000_000 + Handler + exit, l.Cursor);
        Assert.Equal(l.Cursor, l.Breakdown.Total);
        Assert.Equal(3, m.Vcpus[0].OpsRetired);
    }

    [Fact]
    public void Rearming_replaces_the_pending_deadline()
    {
        // The second arm (1 us later in guest time, 100 ticks out) wins over the first (500 ticks out).
        var m = GuestExitTests.Run(PlatformConfiguration.Baseline, [new ArmTimer(500), new Compute(2_600), new ArmTimer(100), new WaitInterrupt()]);
        Assert.Equal(1, m.Pes[0].Stats.TimerFires);
        Assert.Equal(2_000_000, m.Pes[0].Stats.LastTimerFire.Picoseconds);
    }
}
