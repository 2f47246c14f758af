
namespace VirtCca.Kvm.Tests;

/// <summary>
/// SMP boot as a guest does it: only vCPU 0 starts; it brings vCPU 1 up with PSCI CPU_ON. In a realm
/// the TMM hands the request to KVM as a PSCI exit and KVM answers RMI_PSCI_COMPLETE before it
/// starts the target's PE; in a normal VM KVM starts it directly.
/// </summary>
public sealed class PsciBootTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static long Ps(long cycles) => SimTime.FromCycles(cycles, 2_600_000_000).Picoseconds;

    private static readonly IReadOnlyList<Op>[] Programs =
    [
        [new PsciCpuOn(1), new Compute(5_000), new SendIpi(1), new WaitInterrupt()],
        [new WaitInterrupt(), new Compute(3_000), new SendIpi(0)],
    ];

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_realm_secondary_runs_only_after_cpu_on_and_psci_complete(PlatformConfiguration config)
    {
        Machine Build() => Machines.Build(config, Programs, psciBoot: true);
        var s = Build();
        var seq = SequentialEngine.Run(s.Model, new KernelSettings());
        var a = Build();
        Assert.Equal(seq.Digest, LocalEngine.Run(a.Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System).Digest);

        var tmm = s.Tmm();
        Assert.Equal(s.Guests[0].CreationCalls + 1, tmm.Calls); // the creation, then KVM's RMI_PSCI_COMPLETE
        Assert.Equal(1, s.Exits(0, ExitKind.Psci));
        Assert.Equal([4L, 3L], s.Vcpus.Select(v => v.OpsRetired));
        Assert.Equal([1L, 1L], s.Vcpus.Select(v => v.InterruptsTaken));
        Assert.True(tmm.Rmm.RecAt(s.Rec(1))!.Runnable);
    }

    [Fact]
    public void Without_cpu_on_a_realm_secondary_never_enters()
    {
        var m = Machines.Build(PlatformConfiguration.VirtccaSel2, [[new Compute(5_000)], [new Compute(1)]], psciBoot: true);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var tmm = m.Tmm();
        Assert.Equal(0, m.Kvm(1).Vcpu.OpsRetired);
        Assert.False(tmm.Rmm.RecAt(m.Rec(1))!.Runnable);
        Assert.Equal(1, tmm.Entries); // vCPU 0's only
    }

    [Fact]
    public void A_normal_vm_secondary_starts_when_kvm_handled_the_cpu_on_at_the_exact_time()
    {
        var platform = new PlatformSettings();
        var m = Machines.Build(PlatformConfiguration.Baseline, [[new PsciCpuOn(1)], [new Compute(2_600)]], psciBoot: true);
        SequentialEngine.Run(m.Model, new KernelSettings());
        // vCPU 0 traps at t = 0 (530 cycles), KVM handles the CPU_ON (530), the start reaches PE 1 over the PE-PE link.
        long started = Ps(platform.WorldSwitch.GuestTrap) + Ps(platform.WorldSwitch.KvmHvcRoundTrip - platform.WorldSwitch.GuestTrap) + platform.Links.PePe.Picoseconds;
        Assert.Equal(started + Ps(2_600), m.Pes[1].Ledger.Cursor);
        Assert.Equal(started, m.Pes[1].Ledger[TimeCategory.Idle]);
        Assert.Equal(1, m.Kvm(1).Vcpu.OpsRetired);
    }
}
