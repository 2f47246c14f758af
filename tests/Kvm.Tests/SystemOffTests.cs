namespace VirtCca.Kvm.Tests;

/// <summary>
/// The guest powers off (PSCI SYSTEM_OFF): KVM stops every vCPU — kicking a running one out of its
/// REC, stopping a halted one after a kick, refusing re-entry into a powered-off realm — and, once
/// all have stopped, destroys the realm through RMI until every granule is back with the host.
/// </summary>
public sealed class SystemOffTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly IReadOnlyList<Op>[] Programs =
    [
        [new Compute(26_000), new SystemOff()],
        [new Loop(1_000, [new Compute(2_600), new Hypercall()])], // still running when the machine goes off
        [new Compute(100)],                                        // halted long before, inside its REC
    ];

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void Every_vcpu_stops_and_kvm_destroys_the_realm(PlatformConfiguration config)
    {
        Machine Build() => RealmMachine.Create(new PlatformSettings(), config, Programs);
        var m = Build();
        var s = SequentialEngine.Run(m.Model, new KernelSettings());
        var a = LocalEngine.Run(Build().Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);
        Assert.Equal(s.Digest, a.Digest);

        var kvm = (RealmLauncher)m.Kvm!;
        var tmm = (TmmActor)m.TmmComponent!;
        Assert.All(m.Pes, p => Assert.True(p.Stats.Stopped > SimTime.Zero));
        Assert.Equal(kvm.AllStoppedAt, m.Pes.Max(p => p.Stats.Stopped) + new PlatformSettings().Links.PePe); // the last report, one link later
        Assert.True(kvm.DestroyedAt > kvm.AllStoppedAt);
        Assert.InRange(m.Vcpus[1].OpsRetired, 1, 1_999);           // cut short
        Assert.Equal(1, m.Pes[0].Stats.Exits[(int)ExitReason.SystemOff]);
        Assert.Empty(tmm.Rmm.Realms);                               // REALM_DESTROY done
        Assert.Empty(tmm.Rmm.DelegatedGranules);                    // every granule undelegated
        Assert.Empty(tmm.Rmm.CheckInvariants());
        var plan = new RealmPlan(new RealmShape { Vcpus = 3 });
        Assert.Equal(plan.Calls.Count + plan.Teardown.Count, kvm.CallsMade);
    }

    [Fact]
    public void A_normal_vms_system_off_stops_every_vcpu()
    {
        var m = new Machine(new PlatformSettings(), PlatformConfiguration.Baseline, Programs);
        SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.All(m.Pes, p => Assert.True(p.Stats.Stopped > SimTime.Zero));
        Assert.InRange(m.Vcpus[1].OpsRetired, 1, 1_999);
        Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
    }
}
