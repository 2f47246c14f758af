using VirtCca.Tmm;
using VirtCca.Tmm.Actor;
using VirtCca.Tmm.Abi;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>KVM's RMI calls and firmware SMCs on a PE with no guest: exact timestamps and a breakdown with no picosecond missing.</summary>
public sealed class RmiRoundTripTests
{
    private static readonly SimTime DriverLink = SimTime.FromNanoseconds(150), TmmLink = SimTime.FromNanoseconds(100);

    private static (PeActor Pe, HostDriver Driver, TmmActor Tmm) Run(PlatformConfiguration config, params (long, ulong, ulong)[] calls)
    {
        var b = new Topology.Builder();
        int pe = b.Add("pe0", 0), tmm = b.Add("tmm", 0), driver = b.Add("kvm", 1);
        b.Link(pe, tmm, TmmLink).Link(pe, driver, DriverLink);
        PeActor? p = null; HostDriver? d = null; TmmActor? t = null;
        var costs = new TmmCosts { CommandBaseCycles = Ws.TmmCommandBase, ExtraCycles = new Dictionary<ulong, long>() };
        var model = new FactoryModel("rmi", b.Build(), id => id == pe
            ? p = new PeActor(HostOnly(0, config, tmm, TmmLink))
            : id == tmm ? t = new TmmActor(new Rmm(), costs) : d = new HostDriver(pe, calls));
        SequentialEngine.Run(model, new KernelSettings());
        return (p!, d!, t!);
    }

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2, 2_370)]
    [InlineData(PlatformConfiguration.VirtccaEl3, 1_500)]
    public void An_rmi_round_trip_takes_exactly_its_configured_steps(PlatformConfiguration config, long cycles)
    {
        var (pe, driver, tmm) = Run(config, (0, RmiFid.Version, 0x10000));
        var steps = WorldSwitch.RmiCall(config, Ws);
        Assert.Equal(cycles, WorldSwitch.Total(steps));

        long arrive = DriverLink.Picoseconds, done = arrive + Ps(steps);
        Assert.Equal([$"{done + DriverLink.Picoseconds}:0"], driver.Answers); // RMI_SUCCESS, exactly then
        Assert.Equal(1, tmm.Calls);

        var l = pe.Ledger;
        Assert.Equal(arrive, l[TimeCategory.Idle]);
        Assert.Equal(Ps(steps, TimeCategory.Monitor), l[TimeCategory.Monitor]);
        Assert.Equal(Ps(Ws.TmmCommandBase), l[TimeCategory.Tmm]);
        Assert.Equal(0, l[TimeCategory.Kvm] + l[TimeCategory.Guest]);
        Assert.Equal(done, l.Cursor);
        Assert.Equal(l.Cursor, l.Breakdown.Total);
        Assert.Equal(PeLevel.NsEl2, pe.Level);
        Assert.Equal(SecurityState.NonSecure, pe.Monitor.LiveWorld);
        Assert.Equal(0x10000UL, pe.Monitor.Live.X[1]); // the TMM's X1 (the RMI version) is in KVM's register file
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline, RmiFid.Version, "FFFFFFFFFFFFFFFF")] // no TMM: SMC_UNKNOWN from EL3
    [InlineData(PlatformConfiguration.VirtccaSel2, 0x84000000UL, "10001")]        // PSCI_VERSION 1.1
    [InlineData(PlatformConfiguration.VirtccaEl3, 0x82000000UL, "FFFFFFFFFFFFFFFF")]
    public void Smcs_that_el3_answers_itself_cost_one_fast_smc_round_trip(PlatformConfiguration config, ulong fid, string x0)
    {
        var (pe, driver, tmm) = Run(config, (0, fid, 0));
        long done = DriverLink.Picoseconds + Ps(235) + Ps(235);
        Assert.Equal([$"{done + DriverLink.Picoseconds}:{x0}"], driver.Answers);
        Assert.Equal(0, tmm.Calls);
        Assert.Equal(Ps(235) + Ps(235), pe.Ledger[TimeCategory.Monitor]);
        Assert.Equal(done, pe.Ledger.Breakdown.Total);
    }

    [Fact]
    public void Calls_that_arrive_while_the_pe_is_busy_wait_their_turn()
    {
        var config = PlatformConfiguration.VirtccaSel2;
        var (pe, driver, _) = Run(config, (0, RmiFid.Version, 0x10000), (1_000, RmiFid.Version, 0x10000));
        long one = Ps(WorldSwitch.RmiCall(config, Ws));
        long first = DriverLink.Picoseconds + one, second = first + one; // the second arrived at 151 ns, mid-call
        Assert.Equal([$"{first + DriverLink.Picoseconds}:0", $"{second + DriverLink.Picoseconds}:0"], driver.Answers);
        Assert.Equal(2 * Ps(Ws.TmmCommandBase), pe.Ledger[TimeCategory.Tmm]);
        Assert.Equal(second, pe.Ledger.Breakdown.Total);
        Assert.Equal(2, pe.Stats.HostSmcs);
    }

    [Fact]
    public void A_tmm_link_too_long_to_hide_in_the_legs_is_refused_naming_the_step()
    {
        var b = new Topology.Builder();
        int pe = b.Add("pe0"), tmm = b.Add("tmm");
        var link = SimTime.FromNanoseconds(150); // 2 x 150 ns > the 530-cycle guest trap (204 ns)
        b.Link(pe, tmm, link);
        var model = new FactoryModel("bad", b.Build(), id => id == pe
            ? new PeActor(HostOnly(0, PlatformConfiguration.VirtccaSel2, tmm, link))
            : new TmmActor(new Rmm(), new TmmCosts()));
        var ex = Assert.Throws<SimulationException>(() => SequentialEngine.Run(model, new KernelSettings()));
        Assert.Contains("before 'TMM handles the RSI command", ex.Message);
    }
}
