using VirtCca.Tmm;

namespace VirtCca.Kvm.Tests;

/// <summary>KVM's creation and teardown sequences, run straight against the RMM model.</summary>
public sealed class RealmPlanTests
{
    private static void Run(Rmm rmm, IEnumerable<RmiCall> calls)
    {
        foreach (var call in calls)
        {
            foreach (var (address, data) in call.Pages) rmm.HostMemory.Write(address, data);
            ulong A(int i) => i < call.Args.Length ? call.Args[i] : 0;
            var r = rmm.HostSmc(call.Fid, A(0), A(1), A(2), A(3), A(4));
            Assert.True(r.X0 == 0, $"{call.Name}: 0x{r.X0:X} {rmm.LastError}");
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, false)]
    public void The_teardown_returns_every_granule_the_creation_delegated(int vcpus, bool secondariesRunnable)
    {
        var plan = new RealmPlan(new RealmShape { Vcpus = vcpus, SecondariesRunnable = secondariesRunnable });
        var rmm = new Rmm();
        Run(rmm, plan.Calls);
        Assert.Single(rmm.Realms);
        Assert.NotEmpty(rmm.DelegatedGranules);
        Run(rmm, plan.Teardown);
        Assert.Empty(rmm.Realms);
        Assert.Empty(rmm.DelegatedGranules);
        Assert.Empty(rmm.CheckInvariants());
    }
}
