using VirtCca.Cores.Pe;
using VirtCca.Cores.Platform;
using VirtCca.Cores.Vcpu;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>Guest loads and stores go through the TZASC: the guest stalls for the round trip, and the secure pool refuses the normal world.</summary>
public sealed class MemoryTouchTests
{
    private const ulong SecurePool = 0x8000_0000;
    private static readonly SimTime Link = SimTime.FromNanoseconds(50);

    private static (PeActor Pe, VcpuActor Vcpu, TzascActor Tzasc) Run(PlatformConfiguration config, IReadOnlyList<Op> program)
    {
        var b = new Topology.Builder();
        int pe = b.Add("pe0", 0), vcpu = b.Add("vcpu0", 0), tzasc = b.Add("tzasc", 1), tmm = b.Add("tmm", 1);
        b.Link(pe, tzasc, Link).Link(pe, tmm, Link);
        PeActor? p = null; VcpuActor? v = null; TzascActor? t = null;
        var controller = new Tzc400();
        Assert.True(controller.Program(1, new TzascRegion(true, SecurePool, SecurePool + 0x1000_0000, RegionAccess.SecureOnly), secure: true, out _));
        var timing = new GuestTiming(Hz, PlatformSettings.RegimeOf(config), new(), 0);
        var model = new FactoryModel("touch", b.Build(), id => id switch
        {
            0 => p = new PeActor(new PeSetup { Cpu = 0, Configuration = config, Vcpu = vcpu, Tzasc = tzasc, Tmm = tmm, TmmLinkLatency = Link }),
            1 => v = new VcpuActor(0, program, timing),
            2 => t = new TzascActor(controller, new SparseDram(), new TzascCosts(Hz, CheckCycles: 4)),
            _ => new TmmStandIn(Ws),
        });
        SequentialEngine.Run(model, new KernelSettings());
        return (p!, v!, t!);
    }

    [Fact]
    public void A_touch_stalls_the_guest_for_the_round_trip_and_the_filter()
    {
        var (pe, vcpu, tzasc) = Run(PlatformConfiguration.Baseline, [new Touch(0x1000, Write: true), new Touch(0x1000)]);
        Assert.Equal(2 * (2 * Link.Picoseconds + Ps(4)), pe.Ledger[TimeCategory.Guest]);
        Assert.Equal(pe.Ledger.Cursor, pe.Ledger.Breakdown.Total);
        Assert.Equal(0, vcpu.MemoryFaults);
        Assert.Equal(1, tzasc.Dram.PagesTouched);
    }

    [Theory]
    [InlineData(PlatformConfiguration.Baseline, 1)]     // a normal VM touching the secure pool: refused
    [InlineData(PlatformConfiguration.VirtccaSel2, 0)]  // realm memory lives there
    [InlineData(PlatformConfiguration.VirtccaEl3, 0)]
    public void The_secure_pool_refuses_the_normal_world(PlatformConfiguration config, long faults)
    {
        var (_, vcpu, tzasc) = Run(config, [new Touch(SecurePool + 0x40, Write: true)]);
        Assert.Equal(faults, vcpu.MemoryFaults);
        Assert.Equal(faults, tzasc.Controller.RefusedAccesses);
        Assert.Equal(1, vcpu.OpsRetired); // the guest survives the external abort and carries on
    }
}
