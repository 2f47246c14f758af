using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 36–41 and 43–50: folding, unprotected mappings, RIPAS initialisation, DATA granules.</summary>
public sealed class ConformanceDataTests
{
    private readonly RealmSetup _s = new();
    private const ulong Ns = 1UL << 39; // first unprotected IPA of a 40-bit Realm

    /// <summary>Setup R plus tables down to level 3 over [ipa, ipa + 2 MiB).</summary>
    private (ulong Rd, ulong L3) WithL3(ulong ipa = 0)
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), ipa & ~((1UL << 30) - 1), 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), ipa & ~((1UL << 21) - 1), 2).Status);
        var l3 = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, l3, ipa & ~((1UL << 21) - 1), 3).Status);
        return (rd, l3);
    }

    private ulong SourcePage(byte fill)
    {
        var src = _s.Granule();
        _s.Rmm.HostMemory.Write(src, Enumerable.Repeat(fill, 4096).ToArray());
        return src;
    }

    [Fact] // 36
    public void Item36_fold_of_512_unassigned_ram_entries_gives_an_unassigned_ram_block()
    {
        var (rd, l3) = WithL3();
        Assert.Equal(0x20_0000UL, _s.Call(RmiFid.RttInitRipas, rd, 0, 0x20_0000).X1);
        var r = _s.Call(RmiFid.RttFold, rd, 0, 3);
        Assert.Equal(RmiStatus.Success, r.Status);
        Assert.Equal(l3, r.X1);
        var e = _s.Call(RmiFid.RttReadEntry, rd, 0, 2);
        Assert.Equal((2UL, (ulong)RmiRttEntryState.Unassigned, (ulong)Ripas.Ram), (e.X1, e.X2, e.X4));
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(l3));
    }

    [Fact] // 37
    public void Item37_fold_of_mixed_entries_is_error_rtt_at_its_level()
    {
        var (rd, l3) = WithL3();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttInitRipas, rd, 0, 0x1000).Status);
        Assert.Equal(0x304UL, _s.Call(RmiFid.RttFold, rd, 0, 3).X0);
        Assert.Equal(GranuleState.Rtt, _s.Rmm.GranuleStateOf(l3));
    }

    [Fact] // 38
    public void Item38_fold_of_512_contiguous_assigned_pages_gives_an_assigned_block()
    {
        var (rd, _) = WithL3();
        // A 2 MiB-aligned run of 512 DATA granules: take them from a fresh aligned range of host memory.
        ulong block = 0x8040_0000;
        for (int i = 0; i < 512; i++)
        {
            ulong data = block + (ulong)i * 0x1000;
            Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleDelegate, data).Status);
            Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreateUnknown, rd, data, (ulong)i * 0x1000).Status);
        }
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttFold, rd, 0, 3).Status);
        var e = _s.Call(RmiFid.RttReadEntry, rd, 0, 2);
        Assert.Equal((2UL, (ulong)RmiRttEntryState.Assigned, block), (e.X1, e.X2, e.X3));
    }

    [Fact] // 34
    public void Item34_destroying_an_rtt_with_an_assigned_entry_is_error_rtt_at_its_level()
    {
        var (rd, l3) = WithL3();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreateUnknown, rd, _s.Delegated(), 0x5000).Status);
        Assert.Equal(0x304UL, _s.Call(RmiFid.RttDestroy, rd, 0, 3).X0);
        Assert.Equal((ulong)RmiRttEntryState.Table, _s.Call(RmiFid.RttReadEntry, rd, 0, 2).X2);
        Assert.Equal(GranuleState.Rtt, _s.Rmm.GranuleStateOf(l3));
        // Item 9, DATA state: a DATA granule cannot be undelegated.
        var data = _s.Rmm.Realms.Single().Walk(0x5000, 3).Table.Entries[5].Address;
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.GranuleUndelegate, data).Status);
    }

    [Fact] // 39
    public void Item39_map_unprotected_argument_errors_are_input()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), Ns, 1).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttMapUnprotected, rd, 0, 2, 0x9000_0000).Status);          // protected IPA
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 2, 0x9000_0000 | 0b100 << 2).Status); // reserved MemAttr
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 0, 0x9000_0000).Status);         // level 0
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttMapUnprotected, 0x8000_0000, Ns, 0, 0).Status);         // level beats rd
    }

    [Fact] // 40
    public void Item40_map_unprotected_then_again_is_error_rtt_and_read_echoes_the_descriptor()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), Ns, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), Ns, 2).Status);
        ulong desc = 0x9000_0000 | 0b101 << 2 | 0b11 << 6;
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 2, desc).Status);
        Assert.Equal(0x204UL, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 2, desc).X0);
        var e = _s.Call(RmiFid.RttReadEntry, rd, Ns, 2);
        Assert.Equal(((ulong)RmiRttEntryState.Assigned, desc, (ulong)Ripas.Empty), (e.X2, e.X3, e.X4));
    }

    [Fact] // 41
    public void Item41_unmap_unprotected_of_unassigned_ns_is_error_rtt_and_valid_returns_top()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), Ns, 1).Status);
        Assert.Equal(0x104UL, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 2, 0x9000_0000).X0); // no level-2 table yet
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), Ns, 2).Status);
        Assert.Equal(RmiStatus.ErrorRtt, _s.Call(RmiFid.RttUnmapUnprotected, rd, Ns, 2).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttMapUnprotected, rd, Ns, 2, 0x9000_0000).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttMapUnprotected, rd, Ns + 0x60_0000, 2, 0x9060_0000).Status);
        var r = _s.Call(RmiFid.RttUnmapUnprotected, rd, Ns, 2);
        Assert.Equal(RmiStatus.Success, r.Status);
        Assert.Equal(Ns + 0x60_0000, r.X1); // the next live entry of that table
    }

    [Fact] // 43
    public void Item43_init_ripas_errors()
    {
        var (rd, _) = WithL3();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.RttInitRipas, rd, 0x2000, 0x2000).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreateUnknown, rd, _s.Delegated(), 0).Status);
        Assert.Equal(0x304UL, _s.Call(RmiFid.RttInitRipas, rd, 0, 0x1000).X0); // first entry ASSIGNED
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmActivate, rd).Status);
        Assert.Equal(RmiStatus.ErrorRealm, _s.Call(RmiFid.RttInitRipas, rd, 0x1000, 0x2000).Status);
    }

    [Fact] // 44
    public void Item44_init_ripas_sets_ram_and_returns_top()
    {
        var (rd, _) = WithL3();
        var r = _s.Call(RmiFid.RttInitRipas, rd, 0x3000, 0x5000);
        Assert.Equal((RmiStatus.Success, 0x5000UL), (r.Status, r.X1));
        Assert.Equal((ulong)Ripas.Ram, _s.Call(RmiFid.RttReadEntry, rd, 0x4000, 3).X4);
        Assert.Equal((ulong)Ripas.Empty, _s.Call(RmiFid.RttReadEntry, rd, 0x5000, 3).X4);
    }

    [Fact] // 45
    public void Item45_data_create_on_an_active_realm_is_error_realm_and_unprotected_ipa_is_input()
    {
        var (rd, _) = WithL3();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), Ns, SourcePage(1), 0).Status); // beats rtt_walk
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmActivate, rd).Status);
        Assert.Equal(RmiStatus.ErrorRealm, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, SourcePage(1), 0).Status);
    }

    [Fact] // 46
    public void Item46_data_create_walk_and_state_errors()
    {
        var (rd, _) = _s.Realm();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 1).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 2).Status);
        Assert.Equal(0x204UL, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, SourcePage(1), 0).X0);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RttCreate, rd, _s.Delegated(), 0, 3).Status);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, SourcePage(1), 0).Status);
        Assert.Equal(0x304UL, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, SourcePage(1), 0).X0);
    }

    [Fact] // 47
    public void Item47_data_create_with_src_delegated_or_bad_flags_is_input()
    {
        var (rd, _) = WithL3();
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, _s.Delegated(), 0).Status);
        Assert.Equal(RmiStatus.ErrorInput, _s.Call(RmiFid.DataCreate, rd, _s.Delegated(), 0, SourcePage(1), 2).Status);
    }

    [Fact] // 48
    public void Item48_data_create_assigns_ram_and_changes_the_rim_and_the_data_is_unreachable_for_the_host()
    {
        var (rd, _) = WithL3();
        var realm = _s.Rmm.Realms.Single();
        var before = realm.Measurement.Value(0);
        var data = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreate, rd, data, 0x7000, SourcePage(0x5A), 1).Status);
        var e = _s.Call(RmiFid.RttReadEntry, rd, 0x7000, 3);
        Assert.Equal(((ulong)RmiRttEntryState.Assigned, data, (ulong)Ripas.Ram), (e.X2, e.X3, e.X4));
        Assert.NotEqual(before, realm.Measurement.Value(0));
        Assert.Equal(GranuleState.Data, _s.Rmm.GranuleStateOf(data));
        Assert.Throws<GranuleProtectionFault>(() => _s.Rmm.HostMemory.Read(data, new byte[1]));
    }

    [Fact] // 49
    public void Item49_data_create_unknown_on_an_active_realm_keeps_ripas_and_rim()
    {
        var (rd, _) = WithL3();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.RealmActivate, rd).Status);
        var rim = _s.Rmm.Realms.Single().Measurement.Value(0);
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreateUnknown, rd, _s.Delegated(), 0x1000).Status);
        var e = _s.Call(RmiFid.RttReadEntry, rd, 0x1000, 3);
        Assert.Equal(((ulong)RmiRttEntryState.Assigned, (ulong)Ripas.Empty), (e.X2, e.X4));
        Assert.Equal(rim, _s.Rmm.Realms.Single().Measurement.Value(0));
    }

    [Fact] // 50
    public void Item50_data_destroy_leaves_destroyed_and_scrubs_and_unassigned_is_error_rtt()
    {
        var (rd, _) = WithL3();
        var data = _s.Delegated();
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.DataCreate, rd, data, 0, SourcePage(0x33), 0).Status);
        var r = _s.Call(RmiFid.DataDestroy, rd, 0);
        Assert.Equal((RmiStatus.Success, data), (r.Status, r.X1));
        Assert.Equal((ulong)Ripas.Destroyed, _s.Call(RmiFid.RttReadEntry, rd, 0, 3).X4);
        Assert.Equal(GranuleState.Delegated, _s.Rmm.GranuleStateOf(data));
        Assert.Equal(0x304UL, _s.Call(RmiFid.DataDestroy, rd, 0).X0);
        // Scrubbed before it went back: undelegated, the host reads zeros.
        Assert.Equal(RmiStatus.Success, _s.Call(RmiFid.GranuleUndelegate, data).Status);
        var back = new byte[4096];
        _s.Rmm.HostMemory.Read(data, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }
}
