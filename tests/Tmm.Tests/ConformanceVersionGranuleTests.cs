using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 1–9: version, features, granules.</summary>
public sealed class ConformanceVersionGranuleTests
{
    private readonly RealmSetup _s = new();

    [Fact] // 1
    public void Item01_version_10_succeeds_and_reports_10()
    {
        var r = _s.Call(RmiFid.Version, 0x10000);
        Assert.Equal(0UL, r.X0);
        Assert.Equal(0x10000UL, r.X1);
        Assert.Equal(0x10000UL, r.X2);
        Assert.Equal(0UL, r.X1 >> 31);
    }

    [Fact] // 2
    public void Item02_version_20_is_input_error_with_the_implemented_range()
    {
        var r = _s.Call(RmiFid.Version, 0x20000);
        Assert.Equal(1UL, r.X0);
        Assert.Equal(0x10000UL, r.X1);
        Assert.Equal(0x10000UL, r.X2);
    }

    [Fact] // 3
    public void Item03_features_register_0_and_others_zero()
    {
        var r = _s.Call(RmiFid.Features, 0);
        Assert.Equal(RmiStatus.Success, r.Status);
        Assert.Equal(0UL, r.X1 >> 42);
        Assert.True((r.X1 & 0xFF) >= 32);
        Assert.Equal(3UL, (r.X1 >> 32) & 3); // SHA-256 and SHA-512
        var other = _s.Call(RmiFid.Features, 1);
        Assert.Equal(RmiStatus.Success, other.Status);
        Assert.Equal(0UL, other.X1);
    }

    [Theory] // 4
    [InlineData(0xC4000156UL)]
    [InlineData(0xC4000160UL)]
    [InlineData(0xC400018FUL)]
    public void Item04_unknown_fid_in_the_rmi_range_is_smc_unknown(ulong fid) =>
        Assert.Equal(ulong.MaxValue, _s.Call(fid).X0);

    [Fact] // 5
    public void Item05_delegate_of_a_misaligned_address_is_input() =>
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleDelegate, 0x8000_0010).Status);

    [Theory] // 6
    [InlineData(0x0900_0000UL)]        // MMIO below DRAM
    [InlineData(0xC000_0000UL)]        // just past 1 GiB of DRAM
    public void Item06_delegate_outside_dram_is_input(ulong pa) =>
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleDelegate, pa).Status);

    [Fact] // 7
    public void Item07_delegate_twice_and_undelegate_of_undelegated_are_input()
    {
        var g = _s.Delegated();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleDelegate, g).Status);
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(g));
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleUndelegate, _s.Granule()).Status);
    }

    [Fact] // 8
    public void Item08_delegated_contents_are_scrubbed_and_an_rd_cannot_be_delegated()
    {
        var g = _s.Granule();
        _s.Rmm.HostMemory.Write(g, Enumerable.Repeat((byte)0xEE, 4096).ToArray());
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleDelegate, g).Status);
        Assert.Throws<GranuleProtectionFault>(() => _s.Rmm.HostMemory.Read(g, new byte[8]));
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleUndelegate, g).Status);
        var back = new byte[4096];
        _s.Rmm.HostMemory.Read(g, back);
        Assert.All(back, b => Assert.Equal(0, b));

        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleDelegate, rd).Status);
    }

    [Fact] // 9 (RD and RTT states; REC and DATA come with their commands)
    public void Item09_undelegate_of_rd_or_rtt_is_input()
    {
        var (rd, rtt) = _s.Realm();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleUndelegate, rd).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleUndelegate, rtt).Status);
        Assert.Equal(GranuleState.Rd, _s.Rmm.GranuleStateOf(rd));
        Assert.Equal(GranuleState.Rtt, _s.Rmm.GranuleStateOf(rtt));
    }
}

/// <summary>The reasons (<see cref="Rmm.LastError"/>) for refused granule and host-page arguments, word for word, in TF-RMM's check order.</summary>
public sealed class GranuleArgumentReasonTests
{
    private readonly RealmSetup _s = new();

    private string Refused(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0)
    {
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(fid, x1, x2, x3, x4, x5).Status);
        return _s.Rmm.LastError;
    }

    [Fact]
    public void Delegate_and_undelegate_say_which_check_refused_the_address()
    {
        var d = _s.Delegated();
        var host = _s.Granule();
        Assert.Equal("addr 0x40000001 is not 4 KiB aligned", Refused(RmiFid.GranuleDelegate, 0x4000_0001)); // align before bound
        Assert.Equal("addr 0x40000000 is outside delegable DRAM", Refused(RmiFid.GranuleDelegate, 0x4000_0000));
        Assert.Equal($"granule 0x{d:X} is Delegated, not UNDELEGATED", Refused(RmiFid.GranuleDelegate, d));
        Assert.Equal("addr 0x40000001 is not 4 KiB aligned", Refused(RmiFid.GranuleUndelegate, 0x4000_0001));
        Assert.Equal("addr 0x40000000 is outside delegable DRAM", Refused(RmiFid.GranuleUndelegate, 0x4000_0000));
        Assert.Equal($"granule 0x{host:X} is Undelegated, not DELEGATED", Refused(RmiFid.GranuleUndelegate, host));
    }

    [Fact]
    public void Realm_create_params_and_data_create_src_say_which_check_refused_the_page()
    {
        var d = _s.Delegated();
        Assert.Equal("params 0x40000001 is not 4 KiB aligned", Refused(RmiFid.RealmCreate, _s.Delegated(), 0x4000_0001));
        Assert.Equal("params 0x40000000 is outside DRAM", Refused(RmiFid.RealmCreate, _s.Delegated(), 0x4000_0000));
        Assert.Equal($"params 0x{d:X} is not in normal-world memory", Refused(RmiFid.RealmCreate, _s.Delegated(), d));
        var (rd, _) = _s.Realm();
        Assert.Equal("src 0x40000001 is not 4 KiB aligned", Refused(RmiFid.DataCreate, rd, _s.Delegated(), 0, 0x4000_0001, 0));
        Assert.Equal("src 0x40000000 is outside DRAM", Refused(RmiFid.DataCreate, rd, _s.Delegated(), 0, 0x4000_0000, 0));
        Assert.Equal($"src 0x{d:X} is not in normal-world memory", Refused(RmiFid.DataCreate, rd, _s.Delegated(), 0, d, 0));
        Assert.Equal($"params 0x{d:X} is not an aligned normal-world granule", Refused(RmiFid.RecCreate, rd, _s.Delegated(), d));
        Assert.Equal($"run 0x{d:X} is not an aligned normal-world granule", Refused(RmiFid.RecEnter, _s.Delegated(), d));
    }
}
