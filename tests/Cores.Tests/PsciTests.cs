using VirtCca.Tmm.Abi;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;
using static VirtCca.Cores.Tests.Costs;

namespace VirtCca.Cores.Tests;

/// <summary>PSCI calls from the host reach the EL3 firmware on the calling PE; CPU_ON wakes the target PE by message.</summary>
public sealed class PsciTests
{
    [Fact]
    public void Cpu_off_then_cpu_on_from_another_pe()
    {
        var b = new Topology.Builder();
        int pe0 = b.Add("pe0"), pe1 = b.Add("pe1"), kvm0 = b.Add("kvm0"), kvm1 = b.Add("kvm1");
        var link = SimTime.FromNanoseconds(100);
        b.Link(pe0, pe1, link).Link(pe0, kvm0, link).Link(pe1, kvm1, link);
        var pes = new PeActor[2];
        var setup = (int cpu) => HostOnly(cpu, PlatformConfiguration.Baseline, peOfCpu: [pe0, pe1]);
        var model = new FactoryModel("psci", b.Build(), id => id switch
        {
            0 or 1 => pes[id] = new PeActor(setup(id)),
            2 => new HostDriver(pe0, (1_000_000, Psci.CpuOn, 1)),   // CPU_ON(mpidr 1) at 1 us
            _ => new HostDriver(pe1, (0, Psci.CpuOff, 0)),
        });
        SequentialEngine.Run(model, new KernelSettings());

        long smc = Ps(235) + Ps(235);
        Assert.Equal(PeState.Idle, pes[1].State);
        Assert.Equal(1, pes[1].Stats.PowerOns);
        // PE 1: CPU_OFF at 100 ns, off until PE 0's CPU_ON (arrives 1.1 us, +1 fast SMC, +100 ns link) powers it on.
        long on = 1_100_000 + smc + 100_000;
        Assert.Equal(on, pes[1].Ledger.Cursor);
        Assert.Equal(smc, pes[1].Ledger[TimeCategory.Monitor]);
        Assert.Equal(on - smc, pes[1].Ledger[TimeCategory.Idle]);
        Assert.Equal(1, pes[0].Monitor.Psci.Calls);
    }
}
