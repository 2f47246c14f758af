using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>virtCCA memory: delegated granules are backed by a TZASC-protected pool; the host cannot touch them.</summary>
public sealed class MemoryIsolationTests
{
    [Fact]
    public void The_host_cannot_read_or_write_delegated_granules_and_a_refused_write_changes_nothing()
    {
        var s = new RealmSetup();
        var free = s.Granule();
        var g = s.Delegated();
        var data = Enumerable.Repeat((byte)0x77, 8192).ToArray();
        var fault = Assert.Throws<GranuleProtectionFault>(() => s.Rmm.HostMemory.Write(free, data)); // spans into g
        Assert.Equal(g, fault.Address);
        Assert.Equal(GranuleState.Delegated, fault.State);
        var back = new byte[4096];
        s.Rmm.HostMemory.Read(free, back);
        Assert.All(back, b => Assert.Equal(0, b)); // nothing written, not even the first granule
        Assert.Throws<GranuleProtectionFault>(() => s.Rmm.HostMemory.Read(0x4000_0000, back)); // outside DRAM
    }

    [Fact]
    public void Running_out_of_secure_pool_is_a_defined_status_with_a_reason_and_undelegate_returns_granules()
    {
        var rmm = new Rmm(new RmmConfig { SecurePoolGranules = 2 });
        Assert.Equal(RmiStatus.Success, rmm.HostSmc(RmiFid.GranuleDelegate, 0x8000_0000).Status);
        Assert.Equal(RmiStatus.Success, rmm.HostSmc(RmiFid.GranuleDelegate, 0x8000_1000).Status);
        Assert.Equal(RmiStatus.ErrorInput, rmm.HostSmc(RmiFid.GranuleDelegate, 0x8000_2000).Status);
        Assert.Contains("secure pool exhausted", rmm.LastError);
        Assert.Equal(GranuleState.Undelegated, rmm.GranuleStateOf(0x8000_2000));
        Assert.Equal(RmiStatus.Success, rmm.HostSmc(RmiFid.GranuleUndelegate, 0x8000_0000).Status);
        Assert.Equal(RmiStatus.Success, rmm.HostSmc(RmiFid.GranuleDelegate, 0x8000_2000).Status);
        Assert.Equal(2, rmm.SecureMemory.GranulesInUse);
    }

    [Fact]
    public void Arbitrary_4k_granules_across_dram_can_be_delegated_by_default()
    {
        var rmm = new Rmm();
        foreach (ulong pa in new ulong[] { 0x8000_0000, 0x8765_4000, 0xBFFF_F000 })
            Assert.Equal(RmiStatus.Success, rmm.HostSmc(RmiFid.GranuleDelegate, pa).Status);
    }
}
