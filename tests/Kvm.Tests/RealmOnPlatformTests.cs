using VirtCca.Tmm;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Realms;
using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// A realm end to end on the platform: KVM creates it with RMI calls through EL3 to the real TMM, each
/// vCPU enters its REC, every trap reaches the TMM, and KVM sees only the exit records it reads from
/// the run page in memory.
/// </summary>
public sealed class RealmOnPlatformTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const int Rounds = 10;

    private static Machine PingPong(PlatformConfiguration config) => Build(config,
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
            var tmm = m.Tmm();
            Assert.True(m.Vmms[0].ActivatedAt > SimTime.Zero);
            Assert.Equal(RealmState.Active, Assert.Single(tmm.Rmm.Realms).State);
            Assert.Empty(tmm.Rmm.CheckInvariants());
            Assert.All(m.Vcpus, v => Assert.Equal(Rounds, v.InterruptsTaken));
            Assert.All(m.Vcpus, v => Assert.Equal(4 * Rounds, v.OpsRetired));
            // What KVM saw came from the exit records: an SGI write per round on each, an MMIO write on vCPU 0, a host call on vCPU 1.
            Assert.Equal([Rounds, Rounds], new[] { m.Exits(0, ExitKind.SgiWrite), m.Exits(1, ExitKind.SgiWrite) });
            Assert.Equal(Rounds, m.Exits(0, ExitKind.Mmio));
            Assert.Equal(Rounds, m.Exits(1, ExitKind.HostCall));
            Assert.Equal(Rounds, m.Pes[1].Stats.RsiCalls);
            // Every exit returned a REC_ENTER, but one: vCPU 0's program ends with an MMIO write, which one more
            // entry completes (EMUL_MMIO); it then idles inside its REC. vCPU 1's ends at an exit and is not entered again.
            Assert.Equal(tmm.Entries, tmm.Exits + 1);
            Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
        }
    }

    [Fact]
    public void The_measurement_of_the_simulated_creation_equals_the_same_calls_made_directly()
    {
        var m = PingPong(PlatformConfiguration.VirtccaSel2);
        SequentialEngine.Run(m.Model, new KernelSettings());
        var simulated = Assert.Single(m.Tmm().Rmm.Realms).Measurement.Rim.ToArray();

        var direct = RealmLifecycleTests.CreateDirectly(new Rmm(m.Layout.Rmm), m.Spec.Guests[0], m.Layout.Guests[0]);
        Assert.Equal(Convert.ToHexString(direct.Realms.Single().Measurement.Rim), Convert.ToHexString(simulated));
        Assert.NotEqual(new byte[simulated.Length], simulated);
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_host_call_costs_exactly_its_trap_tmm_world_switch_kvm_and_reentry_steps(PlatformConfiguration config)
    {
        var m = Run(config, [new Compute(2_600), new Hypercall()]);
        var ws = m.Platform.WorldSwitch;
        var entry = WorldSwitch.GuestEntryLeg(config, ws).Sum(st => Machines.Ps(st.Cycles));
        // Trap to the TMM, which marshals RSI_HOST_CALL's exit, back to NS-EL2, KVM's null handling.
        var exit = Machines.Ps(ws.GuestTrap) + Machines.Ps(ws.TmmExitMarshal)
                   + WorldSwitch.ReturnToHost(config, ws).Sum(st => Machines.Ps(st.Cycles)) + Machines.Ps(ws.KvmHvcRoundTrip - ws.GuestTrap);
        Assert.Equal(m.Start() + entry + Machines.Ps(2_600) + exit, m.Pes[0].Ledger.Cursor); // its program ended at the exit: no re-entry
        var tmm = m.Tmm();
        Assert.Equal((1, 1, 1), (tmm.Entries, tmm.Exits, tmm.RealmCalls));
        Assert.Equal(1, m.Exits(0, ExitKind.HostCall));
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_realm_waiting_in_wfi_is_woken_through_its_exit_records_timer_fields_and_a_list_register_the_tmm_accepted(PlatformConfiguration config)
    {
        var m = Run(config, [new ArmTimer(500), new WaitInterrupt(), new Compute(26)]);
        long armedAt = m.Start() + WorldSwitch.GuestEntryLeg(config, m.Platform.WorldSwitch).Sum(st => Machines.Ps(st.Cycles));
        const long tickPs = 10_000; // 100 MHz counter
        long fires = (armedAt / tickPs + 500) * tickPs;
        Assert.Equal(1, m.Exits(0, ExitKind.Wfi)); // WFI trapped (KVM sets TRAP_WFI), the vCPU blocked
        // KVM knew the realm's timer only from the exit record (CNTV_CTL enabled, CVAL) and woke the vCPU at its tick.
        var rec = m.Tmm().Rmm.RecAt(m.Rec(0))!;
        Assert.Equal((ulong)(armedAt / tickPs + 500), rec.CntvCval);
        Assert.Equal(2, m.Kvm(0).Entries);
        Assert.Equal(new Dictionary<int, long> { [27] = 1 }, m.Kvm(0).Vcpu.InterruptsByIntid);
        Assert.Equal(3, m.Kvm(0).Vcpu.OpsRetired);
        long handler = Machines.Ps(270), entry = WorldSwitch.GuestEntryLeg(config, m.Platform.WorldSwitch).Sum(st => Machines.Ps(st.Cycles));
        Assert.Equal(fires + entry + handler + Machines.Ps(26), m.Pes[0].Ledger.Cursor);
    }

    [Fact]
    public void A_refused_rmi_call_stops_the_run_naming_the_call_and_the_tmms_reason()
    {
        // A secure pool of 30 granules runs out at the 31st delegation: the RD, the starting RTT, three RTTs
        // for the first page, 16 RAM pages, the REC and 8 aux granules — then aux 8 is refused.
        var m = Build(PlatformConfiguration.VirtccaSel2, [[new Compute(1)]], pool: 30);
        var e = Assert.ThrowsAny<Exception>(() => SequentialEngine.Run(m.Model, new KernelSettings()));
        Assert.Contains("KVM's realm creation of guest0 failed at call", e.ToString());
        Assert.Contains("GRANULE_DELEGATE (REC 0 aux 8): status 0x1 (secure pool exhausted", e.ToString());
    }

    [Fact]
    public void A_shape_that_cannot_be_built_is_refused_before_the_run()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(PlatformConfiguration.VirtccaSel2, Enumerable.Repeat<IReadOnlyList<Op>>([new Compute(1)], 20).ToArray(),
            realm: new RealmShape { RamPages = 5, ImagePages = 4 }));
        Assert.Contains("ram-pages 5 leaves no room for 20 host-call blocks", e.Message);
    }
}
