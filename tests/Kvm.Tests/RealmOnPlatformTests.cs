using VirtCca.Launcher.Composition;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm;
using VirtCca.Tmm.Realms;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// A realm end to end on the platform: KVM creates it with RMI calls from PE 0 through EL3 to the real
/// TMM, each vCPU enters its REC, every trap reaches the TMM, and KVM sees only the exit records.
/// </summary>
public sealed class RealmOnPlatformTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const long Hz = 2_600_000_000;
    private const int Rounds = 10;
    private static long Ps(long cycles) => SimTime.FromCycles(cycles, Hz).Picoseconds;

    private static Machine PingPong(PlatformConfiguration config) => RealmMachine.Create(new PlatformSettings(), config,
    [
        [new Loop(Rounds, [new Compute(5_000), new SendIpi(1), new WaitInterrupt(), new Mmio(0x0900_0000, Write: true)])],
        [new Loop(Rounds, [new WaitInterrupt(), new Compute(3_000), new Hypercall(), new SendIpi(0)])],
    ]);

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_two_vcpu_realm_is_created_through_rmi_and_plays_ipi_ping_pong_the_same_on_both_engines(PlatformConfiguration config)
    {
        var sequential = PingPong(config);
        var s = SequentialEngine.Run(sequential.Model, new KernelSettings());
        var actors = PingPong(config);
        var a = LocalEngine.Run(actors.Model, new KernelSettings { Partitions = 2, Threads = 2 }, fx.System);

        Assert.Equal(s.Digest, a.Digest);
        Assert.Equal(s.Events, a.Events);
        foreach (var m in new[] { sequential, actors })
        {
            var kvm = (RealmLauncher)m.Kvm!;
            var tmm = (TmmActor)m.TmmComponent!;
            Assert.True(kvm.ActivatedAt > SimTime.Zero);
            Assert.Equal(RealmState.Active, Assert.Single(tmm.Rmm.Realms).State);
            Assert.Empty(tmm.Rmm.CheckInvariants());
            Assert.All(m.Vcpus, v => Assert.Equal(Rounds, v.InterruptsTaken));
            Assert.All(m.Vcpus, v => Assert.Equal(4 * Rounds, v.OpsRetired));
            // What KVM saw came from the exit records: an SGI write per round on each, an MMIO write on vCPU 0, a host call on vCPU 1.
            Assert.All(m.Pes, p => Assert.Equal(Rounds, p.Stats.Exits[(int)ExitReason.SystemRegister]));
            Assert.Equal(Rounds, m.Pes[0].Stats.Exits[(int)ExitReason.Mmio]);
            Assert.Equal(Rounds, m.Pes[1].Stats.Exits[(int)ExitReason.Hypercall]);
            Assert.Equal(Rounds, m.Pes[1].Stats.RsiCalls);
            // Every exit returned a REC_ENTER; the halted vCPUs are still entered.
            Assert.Equal(tmm.Entries, tmm.Exits + m.Vcpus.Length);
            Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
        }
    }

    [Fact]
    public void The_measurement_of_the_simulated_creation_equals_the_same_calls_made_directly()
    {
        var m = PingPong(PlatformConfiguration.VirtccaSel2);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var simulated = Assert.Single(((TmmActor)m.TmmComponent!).Rmm.Realms).Measurement.Rim.ToArray();

        var direct = new Rmm();
        foreach (var call in new RealmPlan(new RealmShape { Vcpus = 2 }).Calls)
        {
            foreach (var (address, data) in call.Pages) direct.HostMemory.Write(address, data);
            ulong A(int i) => i < call.Args.Length ? call.Args[i] : 0;
            Assert.Equal(0UL, direct.HostSmc(call.Fid, A(0), A(1), A(2), A(3), A(4)).X0);
        }
        Assert.Equal(Convert.ToHexString(direct.Realms.Single().Measurement.Rim), Convert.ToHexString(simulated));
        Assert.NotEqual(new byte[simulated.Length], simulated);
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_host_call_costs_exactly_its_trap_tmm_world_switch_kvm_and_reentry_steps(PlatformConfiguration config)
    {
        var platform = new PlatformSettings();
        var m = RealmMachine.Create(platform, config, [[new Compute(2_600), new Hypercall()]]);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var ws = platform.WorldSwitch;

        var entry = WorldSwitch.GuestEntryLeg(config, ws).Sum(st => Ps(st.Cycles));
        // Trap to the TMM, which marshals RSI_HOST_CALL's exit, back to NS-EL2, KVM's null handling.
        var exit = Ps(ws.GuestTrap) + Ps(ws.TmmExitMarshal)
                   + WorldSwitch.GuestExitLeg(config, ws).Skip(2).Sum(st => Ps(st.Cycles)) + Ps(ws.KvmHvcRoundTrip - ws.GuestTrap);
        var start = ((RealmLauncher)m.Kvm!).ActivatedAt + platform.Links.PePe;
        Assert.Equal(start.Picoseconds + entry + Ps(2_600) + exit + entry, m.Pes[0].Ledger.Cursor);
        var tmm = (TmmActor)m.TmmComponent!;
        Assert.Equal((2, 1, 1), (tmm.Entries, tmm.Exits, tmm.RealmCalls));
        Assert.Equal(1, m.Pes[0].Stats.Exits[(int)ExitReason.Hypercall]);
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_realm_waiting_in_wfi_is_woken_by_its_timer_through_a_list_register_the_tmm_accepted(PlatformConfiguration config)
    {
        var platform = new PlatformSettings();
        var m = RealmMachine.Create(platform, config, [[new ArmTimer(500), new WaitInterrupt(), new Compute(26)]]);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var pe = m.Pes[0];
        var start = ((RealmLauncher)m.Kvm!).ActivatedAt + platform.Links.PePe;
        long armedAt = start.Picoseconds + WorldSwitch.GuestEntryLeg(config, platform.WorldSwitch).Sum(st => Ps(st.Cycles));
        const long tickPs = 10_000; // 100 MHz counter
        Assert.Equal((armedAt / tickPs + 500) * tickPs, pe.Stats.LastTimerFire.Picoseconds);
        Assert.Equal(1, pe.Stats.Exits[(int)ExitReason.Wfi]); // WFI trapped (KVM sets TRAP_WFI), the vCPU blocked
        Assert.Equal(new Dictionary<int, long> { [27] = 1 }, m.Vcpus[0].InterruptsByIntid);
        Assert.Equal(3, m.Vcpus[0].OpsRetired);
        // The REC holds the list register KVM gave on the wake-up entry: vINTID 27, pending, group 1.
        var rec = ((TmmActor)m.TmmComponent!).Rmm.RecAt(BindingOf(m).Rec)!;
        Assert.Equal(27UL | 0xA0UL << 48 | 1UL << 60 | 1UL << 62, rec.GicLrs[0]);
    }

    private static RealmBinding BindingOf(Machine m) => m.Pes[0].Setup.Realm!;

    [Fact]
    public void A_refused_rmi_call_stops_the_run_naming_the_call_and_the_tmms_reason()
    {
        // A secure pool of 30 granules runs out at the 31st delegation: the REC's ninth auxiliary granule
        // (after the RD, 4 RTTs, 16 RAM pages, the REC and 8 aux), the 52nd call.
        var m = RealmMachine.Create(new PlatformSettings(), PlatformConfiguration.VirtccaSel2, [[new Compute(1)]],
            rmm: new RmmConfig { SecurePoolGranules = 30 });
        var e = Assert.ThrowsAny<Exception>(() => SequentialEngine.Run(m.Model, new KernelSettings()));
        var message = e.ToString();
        Assert.Contains("KVM's realm creation failed at call 52 of 61, GRANULE_DELEGATE (REC 0 aux 8): status 0x1 (secure pool exhausted", message);
    }

    [Fact]
    public void A_shape_that_cannot_be_built_is_refused_before_the_run()
    {
        var e = Assert.Throws<ArgumentException>(() => new RealmPlan(new RealmShape { Vcpus = 20, RamPages = 5, ImagePages = 4 }));
        Assert.Contains("ram-pages 5 leaves no room for 20 host-call blocks", e.Message);
    }
}
