using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>PSCI SYSTEM_RESET tears the guest down and builds it again; CPU_SUSPEND sleeps like WFI.</summary>
public sealed class ResetAndSuspendTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly IReadOnlyList<Op>[] Programs =
    [
        [new Compute(26_000), new SystemReset(), new Compute(26_000), new Hypercall()],
        [new Loop(3, [new Compute(2_600), new Hypercall()])],
    ];

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_realm_reset_is_destroyed_and_created_again_and_its_vcpus_go_on(PlatformConfiguration config)
    {
        var m = Build(config, Programs);
        var s = SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.Equal(s.Digest, LocalEngine.Run(Build(config, Programs).Model, new KernelSettings { Threads = 2, Partitions = 2 }, fx.System).Digest);
        var vmm = m.Vmms[0];
        var rmm = m.Tmm().Rmm;
        Assert.Equal(1, vmm.Resets);
        Assert.True(vmm.ActivatedAt > vmm.DestroyedAt && vmm.DestroyedAt > vmm.AllStoppedAt);
        var realm = Assert.Single(rmm.Realms);                       // the new incarnation
        Assert.Equal(Tmm.Realms.RealmState.Active, realm.State);
        Assert.Equal(2 * m.Guests[0].CreationCalls + m.Guests[0].DestructionCalls, m.Tmm().Calls); // created, destroyed, created again
        Assert.Equal(4, m.Kvm(0).Vcpu.OpsRetired);                    // vCPU 0 went on after the reset
        Assert.Empty(rmm.CheckInvariants());
    }

    [Fact]
    public void A_normal_vm_reset_starts_its_vcpus_again()
    {
        var m = Build(PlatformConfiguration.Baseline, Programs);
        SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.Equal(1, m.Vmms[0].Resets);
        Assert.Equal(4, m.Kvm(0).Vcpu.OpsRetired);
        Assert.True(m.Kvm(1).Vcpu.OpsRetired >= 1);
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    public void Cpu_suspend_sleeps_until_the_timer_wakes_it(PlatformConfiguration config)
    {
        var m = Run(config, [new ArmTimer(1_000), new PsciCpuSuspend(), new Compute(26)]);
        Assert.Equal(1, m.Exits(0, ExitKind.Psci));
        Assert.Equal(new Dictionary<int, long> { [27] = 1 }, m.Kvm(0).Vcpu.InterruptsByIntid);
        Assert.Equal(3, m.Kvm(0).Vcpu.OpsRetired);
        Assert.True(m.Pes[0].Ledger[TimeCategory.Idle] > 9_000_000); // it slept ~10 us
    }
}
