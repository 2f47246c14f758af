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

    private static Machine Build(PlatformConfiguration config) => Machines.Build(config, Programs);

    /// <summary>A normal VM's AFFINITY_INFO answer is in X0 after the call; the program's last CPU_ON overwrote it, so ask again.</summary>
    private static ulong AffinityAnswer(Machine m)
    {
        var again = Machines.Build(PlatformConfiguration.Baseline, [[new Compute(52_000), new PsciAffinityInfo(1)], [new Compute(1_000), new PsciCpuOff()]]);
        SequentialEngine.Run(again.Model, new KernelSettings());
        return again.Kvm(0).Vcpu.Context.X[0];
    }

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
        Assert.Equal(1, m.Exits(1, ExitKind.Psci)); // CPU_OFF
        Assert.Equal(2, m.Exits(0, ExitKind.Psci)); // AFFINITY_INFO, CPU_ON
        // vCPU 1 was off from its CPU_OFF until vCPU 0's CPU_ON, ~20 µs later: idle time on its PE.
        Assert.True(m.Pes[1].Ledger[TimeCategory.Idle] > 15_000_000);
        if (m.Tmm is { } tmm)
        {
            // The realm saw AFFINITY_INFO answer OFF, then CPU_ON succeed.
            var results = tmm.Rmm.RecAt(m.Rec(0))!.Program.Log.Where(o => o.Kind == "psci-result").Select(o => o.X0);
            Assert.Equal([Psci.AffinityOff, Psci.Success], results);
            Assert.Equal(m.Guests[0].CreationCalls + 2, tmm.Calls);
        }
        else Assert.Equal([Psci.AffinityOff, Psci.Success], new[] { AffinityAnswer(m), m.Kvm(0).Vcpu.Context.X[0] });
    }
}
