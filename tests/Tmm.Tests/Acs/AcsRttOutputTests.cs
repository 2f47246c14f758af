using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Granules;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>What successful RTT commands must show (the ACS "positive observability" checks): RTT_READ_ENTRY's four outputs after each.</summary>
public sealed class AcsRttOutputTests
{
    private const ulong L2 = 0x20_0000, L1 = 0x4000_0000;
    private const ulong Attrs = 0b101UL << 2 | 0b01UL << 6;
    private static readonly ulong Unassigned = (ulong)RmiRttEntryState.Unassigned, Assigned = (ulong)RmiRttEntryState.Assigned, TableState = (ulong)RmiRttEntryState.Table;

    /// <summary>RTT_READ_ENTRY's (walk level, state, desc, ripas).</summary>
    private static (ulong Level, ulong State, ulong Desc, ulong Ripas) Read(TestRealm r, ulong ipa, long level)
    {
        var e = r.ReadEntry(ipa, level);
        Assert.Equal(0UL, e.X0);
        return (e.X1, e.X2, e.X3, e.X4);
    }

    private static void AllChildren(TestRealm r, ulong ipa, Func<int, (ulong, ulong, ulong, ulong)> expected)
    {
        for (int i = 0; i < 512; i += 73) Assert.Equal(expected(i), Read(r, ipa + (ulong)i * 0x1000, 3));
        Assert.Equal(expected(511), Read(r, ipa + 511UL * 0x1000, 3));
    }

    [Fact]
    public void Rtt_create_links_the_table_and_its_entries_inherit_the_parent_entry()
    {
        var w = new AcsWorld();
        var r = w.New;
        // Under UNASSIGNED/EMPTY, UNASSIGNED/RAM (a whole 2 MiB entry made RAM at level 2) and UNASSIGNED/DESTROYED.
        r.InitRipas(L2, 2 * L2);
        Assert.Equal((2UL, Unassigned, 0UL, (ulong)Ripas.Ram), Read(r, L2, 3)); // the walk stops at level 2
        var rtt = w.Host.Delegated();
        Assert.Equal(0UL, w.Host.Call(RmiFid.RttCreate, r.Rd, rtt, L2, 3).X0);
        Assert.Equal((2UL, TableState, rtt, (ulong)Ripas.Empty), Read(r, L2, 2));
        Assert.Equal(GranuleState.Rtt, w.Host.Rmm.GranuleStateOf(rtt));
        AllChildren(r, L2, _ => (3UL, Unassigned, 0UL, (ulong)Ripas.Ram));
        r.Table(2 * L2, 3);
        AllChildren(r, 2 * L2, _ => (3UL, Unassigned, 0UL, (ulong)Ripas.Empty));
        w.Host.Ok(RmiFid.RttDestroy, r.Rd, 2 * L2, 3);
        r.Table(2 * L2, 3);
        AllChildren(r, 2 * L2, _ => (3UL, Unassigned, 0UL, (ulong)Ripas.Destroyed));
        // Unprotected: under UNASSIGNED_NS every child reads UNASSIGNED, EMPTY.
        r.Table(r.Ns + L2, 3);
        AllChildren(r, r.Ns + L2, _ => (3UL, Unassigned, 0UL, (ulong)Ripas.Empty));
    }

    [Fact]
    public void Rtt_create_under_a_block_splits_it_into_pages_of_the_same_output_range()
    {
        var w = new AcsWorld();
        var r = w.New;
        r.Table(L2, 3);
        w.Host.AlignTo(L2);
        var first = r.DataUnknown(L2);
        for (int i = 1; i < 512; i++) r.DataUnknown(L2 + (ulong)i * 0x1000);
        w.Host.Ok(RmiFid.RttFold, r.Rd, L2, 3);
        Assert.Equal((2UL, Assigned, first, (ulong)Ripas.Empty), Read(r, L2, 2));
        r.Table(L2, 3);
        AllChildren(r, L2, i => (3UL, Assigned, first + (ulong)i * 0x1000, (ulong)Ripas.Empty));
        // An ASSIGNED_NS block: the pages keep the host's attributes.
        w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + L2, 2, 0x8020_0000 | Attrs);
        r.Table(r.Ns + L2, 3);
        AllChildren(r, r.Ns + L2, i => (3UL, Assigned, 0x8020_0000 + (ulong)i * 0x1000 | Attrs, (ulong)Ripas.Empty));
    }

    [Fact]
    public void Rtt_create_and_destroy_work_in_every_realm_state()
    {
        var w = new AcsWorld();
        foreach (var r in new[] { w.New, w.Active, w.SystemOff })
        {
            var rtt = w.Host.Delegated();
            Assert.Equal(0UL, w.Host.Call(RmiFid.RttCreate, r.Rd, rtt, L1, 2).X0);
            Assert.Equal(rtt, w.Host.Call(RmiFid.RttDestroy, r.Rd, L1, 2).X1);
        }
    }

    [Fact]
    public void Rtt_destroy_returns_the_table_and_the_next_live_ipa_and_leaves_destroyed_or_unassigned_ns()
    {
        var w = new AcsWorld();
        var r = w.New;
        var rtt = r.Table(L2, 3);
        var d = w.Host.Call(RmiFid.RttDestroy, r.Rd, L2, 3);
        // Nothing in the level-2 table after 2 MiB is live: top is the table's end (1 GiB).
        Assert.Equal((0UL, rtt, L1), (d.X0, d.X1, d.X2));
        Assert.Equal(GranuleState.Delegated, w.Host.Rmm.GranuleStateOf(rtt));
        Assert.Equal((2UL, Unassigned, 0UL, (ulong)Ripas.Destroyed), Read(r, L2, 3));
        // A table holding only ASSIGNED_NS entries is not live: it can be destroyed, the range goes back to UNASSIGNED_NS.
        var ns = r.Table(r.Ns + L2, 3);
        w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + L2 + 0x5000, 3, 0x8000_5000);
        var dn = w.Host.Call(RmiFid.RttDestroy, r.Rd, r.Ns + L2, 3);
        Assert.Equal((0UL, ns), (dn.X0, dn.X1));
        Assert.Equal((2UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, r.Ns + L2 + 0x5000, 3));
        // The top of a failed walk: the next live entry of the table the walk reached (the level-2 table at 0 is live at 0).
        var miss = w.Host.Call(RmiFid.RttDestroy, r.Rd, 2 * L2, 3);
        Assert.Equal((Acs.ErrorRtt(2), L1), (miss.X0, miss.X2));
    }

    [Fact]
    public void Rtt_fold_makes_one_entry_of_a_homogeneous_table()
    {
        var w = new AcsWorld();
        var r = w.New;
        // UNASSIGNED with one RIPAS (EMPTY, RAM, DESTROYED).
        foreach (var (make, ripas) in new (Action<ulong>, Ripas)[]
                 { (_ => { }, Ripas.Empty), (b => r.InitRipas(b, b + L2), Ripas.Ram), (b => { w.Host.Ok(RmiFid.RttDestroy, r.Rd, b, 3); r.Table(b, 3); }, Ripas.Destroyed) })
        {
            ulong b = L2 * (ulong)(2 + (int)ripas);
            r.Table(b, 3);
            make(b);
            var rtt = Read(r, b, 2).Desc;
            Assert.Equal(rtt, w.Host.Ok(RmiFid.RttFold, r.Rd, b, 3).X1);
            Assert.Equal((2UL, Unassigned, 0UL, (ulong)ripas), Read(r, b, 3));
            Assert.Equal(GranuleState.Delegated, w.Host.Rmm.GranuleStateOf(rtt));
        }
        // UNASSIGNED_NS, and ASSIGNED_NS pages contiguous with one set of attributes.
        var nsTable = r.Table(r.Ns + L2, 3);
        Assert.Equal(nsTable, w.Host.Ok(RmiFid.RttFold, r.Rd, r.Ns + L2, 3).X1);
        Assert.Equal((2UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, r.Ns + L2, 3));
        r.Table(r.Ns + 2 * L2, 3);
        for (int i = 0; i < 512; i++) w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + 2 * L2 + (ulong)i * 0x1000, 3, 0x8040_0000 + (ulong)i * 0x1000 | Attrs);
        w.Host.Ok(RmiFid.RttFold, r.Rd, r.Ns + 2 * L2, 3);
        Assert.Equal((2UL, Assigned, 0x8040_0000 | Attrs, (ulong)Ripas.Empty), Read(r, r.Ns + 2 * L2, 3));
    }

    [Fact]
    public void Rtt_fold_of_512_contiguous_assigned_pages_makes_a_block_with_their_ripas()
    {
        var w = new AcsWorld();
        var r = w.New;
        var rtt = r.Table(L2, 3);
        r.InitRipas(L2, 2 * L2);
        w.Host.AlignTo(L2);
        var first = r.DataUnknown(L2);
        for (int i = 1; i < 512; i++) r.DataUnknown(L2 + (ulong)i * 0x1000);
        Assert.Equal(rtt, w.Host.Ok(RmiFid.RttFold, r.Rd, L2, 3).X1);
        Assert.Equal((2UL, Assigned, first, (ulong)Ripas.Ram), Read(r, L2, 3));
    }

    [Fact]
    public void Rtt_read_entry_reports_the_walk_level_state_desc_and_ripas_of_every_kind_of_entry()
    {
        var w = new AcsWorld();
        var r = w.New;
        var l1 = Read(r, 0, 0).Desc;
        var l2 = Read(r, 0, 1).Desc;
        var l3 = Read(r, 0, 2).Desc;
        Assert.Equal((0UL, TableState, l1, (ulong)Ripas.Empty), Read(r, 0, 0));
        Assert.Equal((1UL, TableState, l2, (ulong)Ripas.Empty), Read(r, 0, 1));
        Assert.Equal((2UL, TableState, l3, (ulong)Ripas.Empty), Read(r, 0, 2));
        Assert.All(new[] { l1, l2, l3 }, t => Assert.Equal(GranuleState.Rtt, w.Host.Rmm.GranuleStateOf(t)));
        // A deeper level than the walk reaches: the entry where it stopped.
        Assert.Equal((1UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, L1, 3));
        // Protected level-3 entries: ASSIGNED RAM (desc = the DATA granule), UNASSIGNED RAM, EMPTY, DESTROYED.
        var data = r.Model.Walk(AcsWorld.AssignedIpa, 3).Table.Entries[1].Address;
        Assert.Equal((3UL, Assigned, data, (ulong)Ripas.Ram), Read(r, AcsWorld.AssignedIpa, 3));
        Assert.Equal((3UL, Unassigned, 0UL, (ulong)Ripas.Ram), Read(r, AcsWorld.DataIpa, 3));
        Assert.Equal((3UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, AcsWorld.EmptyIpa, 3));
        w.Host.Ok(RmiFid.DataDestroy, r.Rd, AcsWorld.AssignedIpa);
        Assert.Equal((3UL, Unassigned, 0UL, (ulong)Ripas.Destroyed), Read(r, AcsWorld.AssignedIpa, 3));
        // ASSIGNED with RIPAS EMPTY (DATA_CREATE_UNKNOWN into EMPTY).
        var unknown = r.DataUnknown(AcsWorld.EmptyIpa);
        Assert.Equal((3UL, Assigned, unknown, (ulong)Ripas.Empty), Read(r, AcsWorld.EmptyIpa, 3));
        // Unprotected: ASSIGNED_NS echoes the host's descriptor (OA, MemAttr, S2AP), RIPAS reads EMPTY.
        w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + 0x3000, 3, 0x8123_4000 | Attrs);
        Assert.Equal((3UL, Assigned, 0x8123_4000 | Attrs, (ulong)Ripas.Empty), Read(r, r.Ns + 0x3000, 3));
        Assert.Equal((3UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, r.Ns + 0x4000, 3));
    }

    [Fact]
    public void Rtt_map_and_unmap_unprotected_move_between_unassigned_ns_and_assigned_ns()
    {
        var w = new AcsWorld();
        var r = w.New;
        foreach (var (ipa, level, oa) in new[] { (r.Ns + 0x1000, 3L, 0x8100_1000UL), (r.Ns + L2, 2L, 0x8120_0000UL), (r.Ns + L1, 1L, 0xC000_0000UL) })
        {
            Assert.Equal(0UL, w.Host.Call(RmiFid.RttMapUnprotected, r.Rd, ipa, (ulong)level, oa | Attrs).X0);
            Assert.Equal(((ulong)level, Assigned, oa | Attrs, (ulong)Ripas.Empty), Read(r, ipa, level));
        }
        // UNMAP returns the next live entry of the table: the page at Ns + 4 KiB is the last live one of its table.
        w.Host.Ok(RmiFid.RttMapUnprotected, r.Rd, r.Ns + 0x9000, 3, 0x8100_9000);
        var u = w.Host.Call(RmiFid.RttUnmapUnprotected, r.Rd, r.Ns + 0x1000, 3);
        Assert.Equal((0UL, r.Ns + 0x9000), (u.X0, u.X1));
        Assert.Equal((3UL, Unassigned, 0UL, (ulong)Ripas.Empty), Read(r, r.Ns + 0x1000, 3));
        Assert.Equal(r.Ns + L2, w.Host.Call(RmiFid.RttUnmapUnprotected, r.Rd, r.Ns + 0x9000, 3).X1); // nothing live after it
    }
}
