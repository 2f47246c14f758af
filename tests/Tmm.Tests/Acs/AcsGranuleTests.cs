using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Memory;
using static VirtCca.Tmm.Tests.Acs.Acs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// ACS command scenarios of RMI_VERSION, RMI_FEATURES, RMI_GRANULE_DELEGATE and
/// RMI_GRANULE_UNDELEGATE: every failure condition of the ACS tables (cca-rmm-acs v1.0 EAC) with its
/// status, then what a successful call must show.
/// </summary>
public sealed class AcsGranuleTests
{
    private static AcsCall Delegate(ulong addr) => new(RmiFid.GranuleDelegate, addr);
    private static AcsCall Undelegate(ulong addr) => new(RmiFid.GranuleUndelegate, addr);

    internal static readonly IReadOnlyDictionary<string, Stimulus> DelegateFailures = Table(
        Address("gran", w => w.Host.Granule(), (_, a) => Delegate(a), "DELEGATED", "REC", "DATA", "RTT", "RD", "REC_AUX"),
        [
            // gran_gpt: EL3 refuses the PAS change. virtCCA has no GPT: memory in the secure PAS is not
            // delegable DRAM, and a granule the secure pool cannot back is refused the same way.
            new("gran_gpt: secure PAS", w => Delegate(w.Host.SecurePas), ErrorInput),
            new("gran_gpt: EL3 refuses (the secure pool is exhausted)", w =>
            {
                while (w.Host.Call(RmiFid.GranuleDelegate, w.Host.Granule()).X0 == 0) { }
                return Delegate(w.Host.Granule());
            }, ErrorInput, new RmmConfig { SecurePoolGranules = 8 }),
        ]);

    internal static readonly IReadOnlyDictionary<string, Stimulus> UndelegateFailures = Table(
        Address("gran", w => w.Host.Delegated(), (_, a) => Undelegate(a), "UNDELEGATED", "REC", "DATA", "RTT", "RD", "REC_AUX"));

    public static TheoryData<string> DelegateCases => Labels(DelegateFailures);
    public static TheoryData<string> UndelegateCases => Labels(UndelegateFailures);

    [Theory, MemberData(nameof(DelegateCases))]
    public void Granule_delegate_fails(string label) => Check(DelegateFailures[label]);

    [Theory, MemberData(nameof(UndelegateCases))]
    public void Granule_undelegate_fails(string label) => Check(UndelegateFailures[label]);

    [Fact]
    public void Granule_delegate_takes_the_granule_from_the_normal_world()
    {
        var h = new AcsHost();
        var g = h.Page(Enumerable.Repeat((byte)0xEE, 4096).ToArray());
        Assert.Equal(0UL, h.Call(RmiFid.GranuleDelegate, g).X0);
        Assert.Equal(GranuleState.Delegated, h.Rmm.GranuleStateOf(g));
        Assert.Throws<GranuleProtectionFault>(() => h.Rmm.HostMemory.Read(g, new byte[1]));
        Assert.Throws<GranuleProtectionFault>(() => h.Rmm.HostMemory.Write(g, new byte[1]));
        Assert.Empty(h.Rmm.CheckInvariants()); // scrubbed: DELEGATED reads as zero, the host's old page too
    }

    [Fact]
    public void Granule_undelegate_of_former_data_gives_back_a_wiped_page()
    {
        // The ACS sequence: DATA_CREATE(ipa, src, data) → DATA_DESTROY(rd, ipa) → GRANULE_UNDELEGATE(data); src ≠ data.
        var w = new AcsWorld();
        var src = w.Host.Page(Enumerable.Repeat((byte)0x77, 4096).ToArray());
        var data = w.Host.Delegated();
        w.Host.Ok(RmiFid.DataCreate, w.New.Rd, data, AcsWorld.DataIpa, src, 1);
        Assert.Equal(data, w.Host.Ok(RmiFid.DataDestroy, w.New.Rd, AcsWorld.DataIpa).X1);
        Assert.Equal(0UL, w.Host.Call(RmiFid.GranuleUndelegate, data).X0);
        var back = new byte[4096];
        w.Host.Rmm.HostMemory.Read(data, back);
        Assert.All(back, b => Assert.Equal(0, b));
        var source = new byte[4096];
        w.Host.Rmm.HostMemory.Read(src, source);
        Assert.All(source, b => Assert.Equal(0x77, b)); // the source page is the host's, untouched
    }

    [Theory]
    [InlineData(0x10000UL, 0UL)]   // v1.0: SUCCESS, lower == requested
    [InlineData(0x20000UL, 1UL)]   // unsupported: RMI_ERROR_INPUT, outputs still the implemented range
    [InlineData(0x0UL, 1UL)]
    [InlineData(0x10001UL, 1UL)]
    public void Rmi_version_reports_1_0_with_bits_63_to_31_zero(ulong requested, ulong x0)
    {
        var r = new AcsHost().Call(RmiFid.Version, requested);
        Assert.Equal(x0, r.X0);
        Assert.Equal((0x10000UL, 0x10000UL), (r.X1, r.X2));
        Assert.Equal((0UL, 0UL), (r.X1 >> 31, r.X2 >> 31));
    }

    [Fact]
    public void Rmi_features_register_0_has_its_reserved_bits_zero_and_other_indices_read_zero()
    {
        // The ACS (EAC) scenario text checks X1[63:30] is zero: written for an older register layout.
        // In v1.0 bits 32..41 hold HASH_SHA_256/512, GICV3_NUM_LRS and MAX_RECS_ORDER (digest §2.1),
        // so this follows the digest: bits 63:42 are zero, and each field reads what the TMM supports.
        var h = new AcsHost();
        var f = h.Call(RmiFid.Features, 0);
        Assert.Equal(0UL, f.X0);
        Assert.Equal(0UL, f.X1 >> 42);
        Assert.Equal(h.Rmm.Config.FeatureRegister0, f.X1);
        Assert.Equal((48UL, 0UL, 0UL, 5UL, 3UL, 0UL), (f.X1 & 0xFF, f.X1 >> 8 & 1, f.X1 >> 9 & 1, f.X1 >> 14 & 0x3F, f.X1 >> 20 & 0x3F, f.X1 >> 26 & 1));
        Assert.Equal((1UL, 1UL, 15UL, 10UL), (f.X1 >> 32 & 1, f.X1 >> 33 & 1, f.X1 >> 34 & 0xF, f.X1 >> 38 & 0xF));
        foreach (var index in new[] { 1UL, 2UL, 0xFFUL, ulong.MaxValue })
            Assert.Equal((0UL, 0UL), (h.Call(RmiFid.Features, index).X0, h.Call(RmiFid.Features, index).X1));
    }
}
