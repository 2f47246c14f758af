using VirtCca.Tmm.Abi;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;
using VirtCca.Tmm;
using VirtCca.Tmm.Actor;
using VirtCca.Tmm.Granules;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>KVM's RMI calls through a PE's secure monitor to the real TmmActor: the RMM's answers come back in KVM's registers on time.</summary>
public sealed class RealTmmTests
{

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void Host_rmi_calls_reach_the_rmm_and_cost_their_configured_steps(PlatformConfiguration config)
    {
        var link = SimTime.FromNanoseconds(100);
        var b = new Topology.Builder();
        int pe = b.Add("pe0", 0), tmm = b.Add("tmm", 0), kvm = b.Add("kvm", 1);
        b.Link(pe, tmm, link).Link(pe, kvm, SimTime.FromNanoseconds(150));
        PeActor? p = null; HostDriver? d = null; TmmActor? t = null;
        var costs = new TmmCosts { CommandBaseCycles = Ws.TmmCommandBase, ExtraCycles = new Dictionary<ulong, long>() };
        var model = new FactoryModel("real-tmm", b.Build(), id => id == pe
            ? p = new PeActor(HostOnly(0, config, tmm, link))
            : id == tmm ? t = new TmmActor(new Rmm(), costs)
            : d = new HostDriver(pe, (0, RmiFid.Version, 0x10000), (20_000_000, RmiFid.GranuleDelegate, 0x8000_0000), (40_000_000, RmiFid.GranuleDelegate, 0x8000_0000)));
        SequentialEngine.Run(model, new KernelSettings());

        long call = Ps(WorldSwitch.RmiCall(config, Ws)), hop = 150_000;
        Assert.Equal([$"{hop + call + hop}:0", $"{20_000_000 + hop + call + hop}:0", $"{40_000_000 + hop + call + hop}:1"], d!.Answers); // second DELEGATE: RMI_ERROR_INPUT
        Assert.Equal(GranuleState.Delegated, t!.Rmm.GranuleStateOf(0x8000_0000));
        Assert.Equal(3, t.Calls);
        Assert.Equal(3 * Ps(Ws.TmmCommandBase), p!.Ledger[TimeCategory.Tmm]);
    }
}
