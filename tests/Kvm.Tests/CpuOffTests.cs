using VirtCca.Launcher.Composition;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// CPU hotplug with PSCI: vCPU 1 powers itself off, vCPU 0 asks AFFINITY_INFO (off) and brings it back
/// with CPU_ON, after which vCPU 1 finishes its program. In a realm each step is a PSCI exit the
/// TMM hands to KVM, and KVM answers AFFINITY_INFO and CPU_ON with RMI_PSCI_COMPLETE.
/// </summary>
public sealed class CpuOffTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static readonly IReadOnlyList<Op>[] Programs =
    [
        [new Compute(52_000), new PsciAffinityInfo(1), new PsciCpuOn(1), new Compute(100)],
        [new Compute(1_000), new PsciCpuOff(), new Compute(2_600)],
    ];

    private static Machine Build(PlatformConfiguration config) => config.HasTmm()
        ? RealmMachine.Create(new PlatformSettings(), config, Programs)
        : new Machine(new PlatformSettings(), config, Programs);

    [Theory]
    [InlineData(PlatformConfiguration.Baseline)]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_vcpu_turned_off_comes_back_with_cpu_on_and_finishes(PlatformConfiguration config)
    {
        var m = Build(config);
        var s = SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.Equal(s.Digest, LocalEngine.Run(Build(config).Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System).Digest);

        Assert.Equal([4L, 3L], m.Vcpus.Select(v => v.OpsRetired));
        Assert.Equal(1, m.Pes[1].Stats.Exits[(int)ExitReason.CpuOff]);
        Assert.Equal(1, m.Pes[0].Stats.Exits[(int)ExitReason.AffinityInfo]);
        // vCPU 1 was off from its CPU_OFF until vCPU 0's CPU_ON, ~20 µs later: idle time on its PE.
        Assert.True(m.Pes[1].Ledger[TimeCategory.Idle] > 15_000_000);
        if (m.TmmComponent is TmmActor tmm)
        {
            // The realm saw AFFINITY_INFO answer OFF, then CPU_ON succeed.
            var results = tmm.Rmm.RecAt(m.Pes[0].Setup.Realm!.Rec)!.Program.Log.Where(o => o.Kind == "psci-result").Select(o => o.X0);
            Assert.Equal([Psci.AffinityOff, Psci.Success], results);
            Assert.Equal(new RealmPlan(new RealmShape { Vcpus = 2 }).Calls.Count + 2, tmm.Calls);
        }
    }
}
