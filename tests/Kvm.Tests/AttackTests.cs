using VirtCca.Devices.Tzasc;
using VirtCca.Kvm.Attacks;
using VirtCca.Launcher.Config;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// Issue 11 part 1: HOCON/experiments/attacks.conf as shipped — two realms and a normal VM while KVM
/// attacks the realm "victim" in every way of (a)-(m) — on both engines in every configuration. Each
/// attempt must be refused by the component that should refuse it, with the victim's memory, registers,
/// measurements and own view unchanged, and every guest must run its program to the end.
/// </summary>
public sealed class AttackTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    internal static MachineSpec Spec(params string[] sets) => Experiments.Spec("attacks.conf", sets);

    /// <summary>Each attempt of attacks.conf: the component that must refuse it, and words its refusal must contain.</summary>
    private static readonly Dictionary<string, (string Component, string Words)> Rmi = new()
    {
        ["map-into-vm"] = ("TZASC", "got bus errors; the VM took external aborts"),
        ["read-delegated/host-address"] = ("TMM granule protection (HostMemory)", "refused: the granule is Data"),
        ["read-delegated/pool-address"] = ("TZASC", "bus error at PA"),
        ["write-delegated/host-address"] = ("TMM granule protection (HostMemory)", "refused: the granule is Data"),
        ["write-delegated/pool-address"] = ("TZASC", "bus error at PA"),
        ["program-tzasc"] = ("TZASC", "2 programming writes from the normal world refused"),
        ["dma-into-realm"] = ("TZASC", "from non-secure stream 0x4A: bus error"),
        ["repoint-ste"] = ("SMMU", "no stream table entry"),
        ["inject-bad-lr/invalid-intid"] = ("TMM (REC_ENTER list-register check)", "RMI_ERROR_REC: entry.gicv3_lrs[0] vINTID 1020 is not a valid interrupt"),
        ["inject-bad-lr/duplicate-intid"] = ("TMM (REC_ENTER list-register check)", "RMI_ERROR_REC: entry.gicv3_lrs[1] repeats vINTID 40"),
        ["undelegate-in-use/data"] = ("TMM", "RMI_ERROR_INPUT: granule 0x80000000 is Data, not DELEGATED"),
        ["undelegate-in-use/rd"] = ("TMM", "is Rd, not DELEGATED"),
        ["enter-running-rec"] = ("TMM", "RMI_ERROR_REC: the REC is running on a CPU"),
        ["enter-foreign-rec"] = ("TMM", "RMI_ERROR_REC: EMUL_MMIO, but the last exit was not an emulatable data abort"),
        ["destroy-live-realm"] = ("TMM", "RMI_ERROR_REALM: the Realm still has 2 REC(s)"),
        ["replay-run-page/emul-mmio"] = ("TMM (REC_ENTER entry-flag check)", "RMI_ERROR_REC: EMUL_MMIO, but"),
        ["replay-run-page/inject-sea"] = ("TMM (REC_ENTER entry-flag check)", "RMI_ERROR_REC: INJECT_SEA, but"),
        ["forge-ripas"] = ("TMM", "RMI_ERROR_INPUT: base 0x1000 is not where the REC's RIPAS request stands"),
        ["modify-measured-page/data-create"] = ("TMM", "RMI_ERROR_REALM: the Realm is Active, not NEW"),
        ["modify-measured-page/pool-address"] = ("TZASC", "bus error at PA"),
        ["read-guest-memory"] = ("TMM granule protection (HostMemory)", "refused: the granule is Data"),
    };

    /// <summary>Under TMI: TMI's codes (TEC for REC, IN_USE for a cVM with TECs, CVM_STATE), and no delegation, no RIPAS, no host address of cVM RAM.</summary>
    private static readonly string[] NotUnderTmi = ["undelegate-in-use/data", "undelegate-in-use/rd", "forge-ripas", "read-guest-memory"];

    private static (string Component, string Words) Expected(string name, string abi) => abi == "rmi" ? Rmi[name] : (
        Rmi[name].Component.Replace("REC_ENTER", "TEC_ENTER"),
        Rmi[name].Words.Replace("RMI_ERROR_REC", "TMI_ERROR_TEC").Replace("RMI_ERROR_REALM: the Realm still has 2 REC(s)", "TMI_ERROR_IN_USE: the cVM still has 2 TEC(s)")
            .Replace("RMI_ERROR_REALM", "TMI_ERROR_CVM_STATE"));

    private Machine Run(MachineSpec spec, string engine, out RunResult result)
    {
        var m = new Machine(spec);
        result = engine == "sequential" ? SequentialEngine.Run(m.Model, new KernelSettings())
            : LocalEngine.Run(m.Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);
        return m;
    }

    private static void EveryProgramFinished(Machine m)
    {
        foreach (var g in m.Guests)
            foreach (var v in g.Vcpus) Assert.True(v!.Vcpu.Finished, $"{v} stopped at {v.Vcpu.Position}");
        // Every operation of every program retired: the victim's two vCPUs ran on through 21 attempts.
        Assert.Equal((300 * 4, 60 * 2, 300 * 2, 3000 * 2), (m.Kvm(0).Vcpu.OpsRetired, m.Kvm(1).Vcpu.OpsRetired, m.Kvm(0, 1).Vcpu.OpsRetired, m.Kvm(0, 2).Vcpu.OpsRetired));
    }

    [Theory]
    [InlineData("virtcca-sel2", "sequential", "rmi")]
    [InlineData("virtcca-sel2", "actors", "rmi")]
    [InlineData("virtcca-el3", "sequential", "rmi")]
    [InlineData("virtcca-el3", "actors", "rmi")]
    [InlineData("virtcca-sel2", "sequential", "tmi")]
    [InlineData("virtcca-sel2", "actors", "tmi")]
    [InlineData("virtcca-el3", "sequential", "tmi")]
    [InlineData("virtcca-el3", "actors", "tmi")]
    public void Every_attack_on_a_realm_is_refused_where_it_should_be_and_the_realm_runs_on_unchanged(string configuration, string engine, string abi)
    {
        var m = Run(Spec($"machine.configuration={configuration}", $"machine.abi={abi}"), engine, out _);
        var outcomes = m.Attacker!.Outcomes;
        Assert.Equal(21, outcomes.Count);
        Assert.Equal(Rmi.Keys.Order(), outcomes.Select(o => o.Name).Distinct().Order());
        foreach (var o in outcomes)
        {
            if (abi == "tmi" && NotUnderTmi.Contains(o.Name))
            {
                Assert.True(o.Verdict == Verdict.NotApplicable, o.ToString());
                Assert.Contains("TMI", o.Result.How);
                continue;
            }
            var (component, words) = Expected(o.Name, abi);
            Assert.True(o.Verdict == Verdict.Refused, o.ToString());
            Assert.Equal(component, o.Result.Component);
            Assert.Contains(words, o.Result.How);
            Assert.NotNull(o.Before);
            Assert.Equal(o.Before, o.After); // memory, registers, measurements, state and the realm's own view
            Assert.True(o.Before!.Pages >= 16 && o.Before.LastMeasurementRead.Length > 0, o.Before.ToString());
        }
        Assert.Equal(13, outcomes.Select(o => AttackCatalog.Find(o.Attack)!.Letter).Distinct().Count(l => l != "(baseline)")); // (a)..(m)
        EveryProgramFinished(m);
        Assert.Empty(m.Tmm().Rmm.CheckInvariants());
        Assert.Equal(181, m.Kvm(0, 2).Vcpu.MemoryFaults); // the spy's loads while a realm page was mapped in its stage 2
    }

    [Fact]
    public void The_engines_agree_on_the_attack_run()
    {
        var spec = Spec();
        var a = Run(spec, "sequential", out var s);
        var b = Run(spec, "actors", out var p);
        Assert.Equal((s.Digest, s.Events), (p.Digest, p.Events));
        Assert.Equal(a.Attacker!.Outcomes.Select(o => (o.ToString(), o.StartPicoseconds, o.EndPicoseconds)), b.Attacker!.Outcomes.Select(o => (o.ToString(), o.StartPicoseconds, o.EndPicoseconds)));
    }

    [Theory]
    [InlineData("sequential")]
    [InlineData("actors")]
    public void In_baseline_what_targets_a_realm_is_not_applicable_and_reading_a_vms_memory_is_allowed(string engine)
    {
        var m = Run(Spec("machine.configuration=baseline"), engine, out _);
        var outcomes = m.Attacker!.Outcomes;
        Assert.Equal(21, outcomes.Count);
        var read = outcomes.Single(o => o.Attack == "read-guest-memory");
        Assert.Equal(Verdict.Allowed, read.Verdict);
        Assert.Contains("a normal VM's memory is the host's", read.Result.How);
        // The pool is the platform's: programming the TZASC from the normal world is refused with no realm at all.
        Assert.Equal(Verdict.Refused, outcomes.Single(o => o.Attack == "program-tzasc").Verdict);
        Assert.All(outcomes.Where(o => o.Attack is not ("read-guest-memory" or "program-tzasc")), o =>
        {
            Assert.Equal(Verdict.NotApplicable, o.Verdict);
            Assert.Contains("victim is a normal VM", o.Result.How);
            Assert.Null(o.Before);
        });
        EveryProgramFinished(m);
    }

    /// <summary>Boot firmware that forgets the pool's TZASC region: the attacks that only the TZASC stops now succeed, and the run says so.</summary>
    private sealed class ForgetfulFirmware(Machine m) : Component
    {
        public override void Start(ISimContext ctx) =>
            m.TzascActor!.Controller.Program(1, new TzascRegion(false, 0, 0, RegionAccess.All), secure: true, out _);

        public override void Handle(in SimEvent ev, ISimContext ctx) { }
    }

    [Fact]
    public void Without_the_pools_tzasc_region_reading_and_writing_realm_memory_succeed_and_are_findings()
    {
        var spec = Spec();
        spec = spec with { Host = spec.Host with { Attacks = spec.Host.Attacks.Where(a => a.Variant == "pool-address" || a.Attack == "program-tzasc").ToArray() } };
        var m = new Machine(spec, [machine => new ForgetfulFirmware(machine)]);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var byName = m.Attacker!.Outcomes.ToDictionary(o => o.Name);
        Assert.Equal(Verdict.Succeeded, byName["read-delegated/pool-address"].Verdict);
        Assert.Contains("read the realm's data at IPA 0x0 from pool PA", byName["read-delegated/pool-address"].Result.How);
        var write = byName["write-delegated/pool-address"];
        Assert.Equal(Verdict.Succeeded, write.Verdict);
        Assert.NotEqual(write.Before!.MemoryChecksum, write.After!.MemoryChecksum); // the snapshot sees the write
        Assert.NotEqual(write.Before.FirstPageAsSeen, write.After.FirstPageAsSeen); // and so does the realm
        Assert.Contains("a normal-world read of the pool at", byName["program-tzasc"].Result.How);
    }

    [Fact]
    public void A_realm_that_changes_during_a_refused_attempt_is_reported_as_changed()
    {
        // The victim's vCPU 0 stores to a new place of its image page every 100 us: an attempt that spans one sees the realm change.
        var spec = Spec();
        var victim = spec.Guests[0];
        IReadOnlyList<Op> writer = [.. Enumerable.Range(1, 10).SelectMany(i => new Op[] { new Compute(260_000), new Touch((ulong)i * 0x100, 8, Write: true) })];
        spec = spec with
        {
            Guests = [victim with { Programs = [writer, victim.Programs[1]] }, .. spec.Guests.Skip(1)],
            Host = spec.Host with { Attacks = [spec.Host.Attacks[0]] }, // map-into-vm watches for 200 us
        };
        var m = new Machine(spec);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var o = m.Attacker!.Outcomes.Single();
        Assert.Equal(Verdict.Succeeded, o.Verdict);
        Assert.StartsWith("refused (TZASC: ", o.Result.How);
        Assert.Contains("but the realm changed: memory", o.Result.How);
    }
}
