using VirtCca.Cores.Timers;
using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>A vCPU's virtual timer, armed by the guest, fires its PPI at the exact counter tick — on the CPU while it runs, through KVM's soft timer while it sleeps.</summary>
public sealed class PeTimerTests
{
    private const long TickPs = 10_000; // 100 MHz counter
    private static readonly long Handler = Machines.Ps(200 + 70); // guest.irq-handler + gic.veoi
    private static readonly WorldSwitchCosts Ws = new();
    private static long Ps(IEnumerable<Step> steps) => steps.Sum(s => s.Picoseconds(Hz));

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_running_guest_exits_at_the_exact_tick_its_timer_fires(PlatformConfiguration config)
    {
        var m = Run(config, [new ArmTimer(700), new Compute(2_600_000), new Hypercall()]);
        var pe = m.Pes[0];
        long armedAt = m.Start() + Ps(WorldSwitch.GuestEntryLeg(config, Ws));
        long fires = (armedAt / TickPs + 700) * TickPs;
        Assert.Equal(fires, pe.Stats.LastTimerFire.Picoseconds);
        Assert.Equal(1, pe.Stats.TimerFires);
        Assert.Equal(1, m.Exits(0, ExitKind.Irq));
        Assert.Equal(1, m.Kvm(0).Vcpu.InterruptsTaken);
        Assert.Equal(new Dictionary<int, long> { [GenericTimer.VirtualPpi] = 1 }, m.Kvm(0).Vcpu.InterruptsByIntid); // PPI 27, through a list register

        // Guest time: the whole compute plus the handler; the rest: one entry, the timer's exit with re-entry, the hypercall's exit (the program ends there).
        var l = pe.Ledger;
        Assert.Equal(Machines.Ps(2_600_000) + Handler, l[TimeCategory.Guest]);
        Assert.Equal(armedAt + Machines.Ps(2_600_000) + Handler + 2 * Ps(WorldSwitch.GuestExit(config, Ws)) - Ps(WorldSwitch.GuestEntryLeg(config, Ws)), l.Cursor);
        Assert.Equal(l.Cursor, l.Breakdown.Total);
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_vcpu_waiting_in_wfi_is_woken_by_kvms_soft_timer_at_the_exact_tick(PlatformConfiguration config)
    {
        var m = Run(config, [new ArmTimer(500), new WaitInterrupt(), new Hypercall()]);
        var pe = m.Pes[0];
        long armedAt = m.Start() + Ps(WorldSwitch.GuestEntryLeg(config, Ws));
        long fires = (armedAt / TickPs + 500) * TickPs;
        Assert.Equal(1, m.Exits(0, ExitKind.Wfi));
        Assert.Equal(0, pe.Stats.TimerFires); // the CPU's timer never fired: the vCPU was out, KVM emulated it
        // The wake-up entry at the tick; the guest takes PPI 27, then its hypercall exits (the program ends there).
        long end = fires + Ps(WorldSwitch.GuestEntryLeg(config, Ws)) + Handler + Ps(WorldSwitch.GuestExitLeg(config, Ws)) + Machines.Ps(530);
        Assert.Equal(end, pe.Ledger.Cursor);
        Assert.Equal(pe.Ledger.Cursor, pe.Ledger.Breakdown.Total);
        Assert.Equal(new Dictionary<int, long> { [GenericTimer.VirtualPpi] = 1 }, m.Kvm(0).Vcpu.InterruptsByIntid);
        Assert.Equal(3, m.Kvm(0).Vcpu.OpsRetired);
    }

    [Fact]
    public void Rearming_replaces_the_pending_deadline()
    {
        // The second arm (1 us later in guest time, 100 ticks out) wins over the first (500 ticks out).
        var m = Run(PlatformConfiguration.Baseline, [new ArmTimer(500), new Compute(2_600), new ArmTimer(100), new WaitInterrupt()]);
        Assert.Equal(1, m.Kvm(0).Vcpu.InterruptsTaken);
        Assert.Equal(0, m.Pes[0].Stats.TimerFires); // it fired while the vCPU slept: KVM's soft timer
        Assert.Equal(4, m.Kvm(0).Vcpu.OpsRetired);
        Assert.Equal(2_000_000 + Machines.Ps(270), m.Pes[0].Ledger.Cursor);
    }
}
