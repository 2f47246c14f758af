using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// Seeded random guests on the whole platform: every operation of the vocabulary, several vCPUs
/// interrupting each other, timers firing into running, blocked and stalled vCPUs. Whatever the mix,
/// the run must end without an error, give the sequential engine's digest on the actor engine with
/// 1, 2 and 3 partitions, keep the TMM's invariants and account for every picosecond on every PE.
/// </summary>
public sealed class RandomWorkloadTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static IReadOnlyList<Op>[] Programs(int seed, int vcpus)
    {
        var rng = new Random(seed);
        Op Next(int self) => rng.Next(12) switch
        {
            11 => new MapPages(rng.Next(0, 40), rng.Next(2) == 0, rng.Next(1, 9)), // a page-table update (a shadow-table one under virtcca-el3)
            0 or 1 => new Compute(rng.Next(100, 20_000), rng.Next(4) / 2m),
            2 => new Touch((ulong)rng.Next(2_048) * 64, 64, rng.Next(2) == 0), // the guest's first 128 KiB: backed, or on demand
            3 => rng.Next(2) == 0 ? new Mmio(0x0A00_0000UL + (ulong)rng.Next(16) * 4, rng.Next(2) == 0, InKernel: false)
                                  : new Mmio(0x0A00_1000UL + (ulong)rng.Next(16) * 4, rng.Next(2) == 0, InKernel: true),
            4 => new Hypercall(),
            5 => new RsiCall(0xC4000190 + (ulong)rng.Next(2)), // RSI_VERSION, RSI_FEATURES
            6 => new SendIpi((self + 1 + rng.Next(vcpus - 1)) % vcpus, rng.Next(16)),
            7 => new ArmTimer(rng.Next(50, 2_000)),
            8 => new Loop(1, [new ArmTimer(rng.Next(50, 2_000)), new Wfi()]), // a WFI with a wake-up armed, so no guest sleeps forever
            9 => new Loop(rng.Next(1, 4), [new Compute(rng.Next(100, 5_000)), new Hypercall()]),
            _ => rng.Next(6) switch
            {
                0 => new PsciCpuOn(rng.Next(vcpus)),
                1 => IpaState(rng),
                2 => new PsciAffinityInfo(rng.Next(vcpus)),
                3 when self != 0 => new PsciCpuOff(), // vCPU 0 stays on, so someone can bring the others back
                _ => new Compute(rng.Next(10, 1_000)),
            },
        };
        // vCPU 0 starts with CPU_ON for every other vCPU, so PSCI boot brings them all up (under
        // boot = all those find their target running: ALREADY_ON in a realm, nothing in a normal VM).
        // One seed in three powers the machine off from some vCPU's last operation.
        int offFrom = seed % 3 == 0 ? rng.Next(vcpus) : -1;
        return Enumerable.Range(0, vcpus).Select(v => (IReadOnlyList<Op>)[
            .. v == 0 ? Enumerable.Range(1, vcpus - 1).Select(t => (Op)new PsciCpuOn(t)) : [],
            .. Enumerable.Range(0, 40).Select(_ => Next(v)),
            .. (v == offFrom ? new Op[] { new SystemOff() } : [])]).ToArray();
    }

    /// <summary>A RIPAS change inside the realm's RAM (the first 64 KiB, under one level-3 table).</summary>
    private static IpaStateSet IpaState(Random rng)
    {
        ulong first = (ulong)rng.Next(16);
        return new IpaStateSet(first * 0x1000, (first + 1 + (ulong)rng.Next((int)(16 - first))) * 0x1000, rng.Next(2) == 0);
    }

    private static Machine Build(PlatformConfiguration config, IReadOnlyList<Op>[] programs, bool psciBoot, HostAbi abi = HostAbi.Rmi) =>
        new(MachineSpec.OneGuest(config, programs, realm: new RealmShape { RamBytes = 128 << 10 }, psciBoot: psciBoot) with { Abi = abi });

    /// <summary>Two seeds per configuration in CI; more with VIRTCCA_WORKLOAD_SEEDS=N (seeds 1..N for each).</summary>
    [Fact]
    public void Random_guests_run_the_same_on_every_engine_and_keep_every_invariant()
    {
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_WORKLOAD_SEEDS"), out var n) ? n : 2;
        foreach (var config in new[] { PlatformConfiguration.Baseline, PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3, PlatformConfiguration.Native })
            for (int seed = 1; seed <= seeds; seed++)
                Check(config, seed + 100 * (int)config);
    }

    /// <summary>The same random realms created and run through virtCCA's TMI (seeds as above).</summary>
    [Fact]
    public void Random_cvms_through_tmi_run_the_same_on_every_engine_and_keep_every_invariant()
    {
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_WORKLOAD_SEEDS"), out var n) ? n : 2;
        foreach (var config in new[] { PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3 })
            for (int seed = 1; seed <= seeds; seed++)
                Check(config, seed + 100 * (int)config, HostAbi.Tmi);
    }

    private void Check(PlatformConfiguration config, int seed, HostAbi abi = HostAbi.Rmi)
    {
        var programs = Programs(seed, 2 + seed % 4);
        bool psci = seed % 2 == 0;
        var reference = Build(config, programs, psci, abi);
        var s = SequentialEngine.Run(reference.Model, new KernelSettings { EndTime = SimTime.FromMicroseconds(5_000) });
        Assert.True(s.Events > 100, $"{config} seed {seed}: {s.Events} events; ops retired {string.Join(", ", reference.Vcpus.Select(v => v.OpsRetired))}; programs: {string.Join(" | ", programs.Select(p => string.Join(", ", p.Take(12))))}");
        foreach (var pe in reference.Pes) Assert.Equal(pe.Ledger.Cursor, pe.Ledger.Breakdown.Total);
        if (reference.Tmm is { } tmm) Assert.Empty(tmm.Rmm.CheckInvariants());
        if (reference.Vmms[0].AllStoppedAt > SimTime.Zero)
        {
            Assert.All(Enumerable.Range(0, programs.Length), v => Assert.True(reference.Kvm(v).StoppedAt > 0, $"{config} seed {seed}: vCPU {v} never stopped"));
            if (reference.Tmm is { } destroyed) Assert.Empty(destroyed.Rmm.DelegatedGranules);
        }
        Assert.Contains(reference.Vcpus, v => v.OpsRetired > 0);

        foreach (int partitions in new[] { 1, 2, 3 })
        {
            var m = Build(config, programs, psci, abi);
            var a = LocalEngine.Run(m.Model, new KernelSettings { EndTime = SimTime.FromMicroseconds(5_000), Partitions = partitions, Threads = 2 }, fx.System);
            Assert.True((s.Digest, s.Events) == (a.Digest, a.Events), $"{config} seed {seed}, {partitions} partitions: {a.Events} events, digest {a.Digest[..8]}; sequential {s.Events}, {s.Digest[..8]}");
            Assert.Equal(reference.Vcpus.Select(v => v.OpsRetired), m.Vcpus.Select(v => v.OpsRetired));
        }
    }

    /// <summary>
    /// Random machines of three guests — two realms of one configuration and a normal VM between them —
    /// with fewer PEs than vCPUs, so the host scheduler time-slices vCPUs of different guests on one PE.
    /// </summary>
    [Fact]
    public void Random_machines_of_several_guests_on_shared_pes_run_the_same_everywhere_and_keep_every_invariant()
    {
        int seeds = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_WORKLOAD_SEEDS"), out var n) ? Math.Max(1, n / 4) : 1;
        foreach (var realms in new[] { PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3 })
            for (int seed = 1; seed <= seeds; seed++)
                CheckSeveral(realms, seed + 1_000 * (int)realms);
    }

    private void CheckSeveral(PlatformConfiguration realms, int seed)
    {
        var configs = new[] { realms, PlatformConfiguration.Baseline, realms };
        var guests = configs.Select((c, g) => new GuestSpec
        {
            Name = $"g{g}", Configuration = c, Programs = Programs(seed * 7 + g, 2 + (seed + g) % 3), PsciBoot = (seed + g) % 2 == 0,
            Realm = new RealmShape { RamBytes = 128 << 10 },
        }).ToArray();
        int vcpus = guests.Sum(g => g.Vcpus);
        MachineSpec Spec() => new()
        {
            Platform = new PlatformSettings(), Guests = guests, Pes = Math.Max(2, vcpus - 3),
            Scheduler = new SchedulerSpec { TimeSlice = SimTime.FromMicroseconds(50) },
        };
        var end = new KernelSettings { EndTime = SimTime.FromMicroseconds(5_000) };
        var reference = new Machine(Spec());
        var s = SequentialEngine.Run(reference.Model, end);
        foreach (var pe in reference.Pes) Assert.Equal(pe.Ledger.Cursor, pe.Ledger.Breakdown.Total);
        Assert.Empty(reference.Tmm().Rmm.CheckInvariants());
        for (int g = 0; g < guests.Length; g++) Assert.Contains(reference.GuestVcpus[g], v => v.OpsRetired > 0);
        foreach (int partitions in new[] { 1, 2, 3 })
        {
            var m = new Machine(Spec());
            var a = LocalEngine.Run(m.Model, end with { Partitions = partitions, Threads = 2 }, fx.System);
            Assert.True((s.Digest, s.Events) == (a.Digest, a.Events), $"{realms} seed {seed}, {partitions} partitions: {a.Events} events, digest {a.Digest[..8]}; sequential {s.Events}, {s.Digest[..8]}");
        }
    }
}
