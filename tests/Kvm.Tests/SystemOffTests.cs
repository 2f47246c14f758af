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
        Machine Build() => Machines.Build(config, Programs);
        var m = Build();
        var s = SequentialEngine.Run(m.Model, new KernelSettings());
        var a = LocalEngine.Run(Build().Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);
        Assert.Equal(s.Digest, a.Digest);

        var vmm = m.Vmms[0];
        var tmm = m.Tmm();
        var stopped = Enumerable.Range(0, 3).Select(v => m.Kvm(v).StoppedAt).ToArray();
        Assert.All(stopped, t => Assert.True(t > 0));
        Assert.Equal(vmm.AllStoppedAt.Picoseconds, stopped.Max() + m.Platform.Links.PePe.Picoseconds); // the last report, one link later
        Assert.True(vmm.DestroyedAt > vmm.AllStoppedAt);
        Assert.InRange(m.Kvm(1).Vcpu.OpsRetired, 1, 1_999);        // cut short
        Assert.Equal(1, m.Exits(0, ExitKind.Psci));                // SYSTEM_OFF
        Assert.Equal(1, m.Exits(2, ExitKind.Irq));                 // the halted one was kicked out of its REC
        Assert.Empty(tmm.Rmm.Realms);                               // REALM_DESTROY done
        Assert.Empty(tmm.Rmm.DelegatedGranules);                    // every granule undelegated
        Assert.Empty(tmm.Rmm.CheckInvariants());
        Assert.Equal(m.Guests[0].CreationCalls + m.Guests[0].DestructionCalls, tmm.Calls);
    }

    [Fact]
    public void A_normal_vms_system_off_stops_every_vcpu()
    {
        var m = Machines.Build(PlatformConfiguration.Baseline, Programs);
        SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.All(Enumerable.Range(0, 3), v => Assert.True(m.Kvm(v).StoppedAt > 0));
        Assert.InRange(m.Kvm(1).Vcpu.OpsRetired, 1, 1_999);
        Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
    }
}
