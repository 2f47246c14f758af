using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_RTT_CREATE(rd, rtt, ipa, level): §4 order; the new table inherits its parent entry (§3.4).</summary>
    private SmcResult RttCreate(ulong rd, ulong rtt, ulong ipa, long level)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (!_granules.Is(rtt, GranuleState.Delegated)) return Input($"rtt {Hex(rtt)} is not a DELEGATED granule");
        if (StructureArgs(realm, ipa, level) is { } why) return Input(why);
        int lvl = (int)level;
        var (parent, reached) = realm.Walk(ipa, lvl - 1);
        if (reached < lvl - 1) return Fail(RmiStatus.ErrorRtt, $"the walk to {Hex(ipa)} stops at level {reached}", reached);
        ref var e = ref parent.Entries[parent.IndexOf(ipa)];
        if (e.Hipas == Hipas.Table) return Fail(RmiStatus.ErrorRtt, $"the level-{lvl - 1} entry for {Hex(ipa)} is already a table", lvl - 1);

        ulong childBase = ipa - ipa % RttGeometry.EntrySize(lvl - 1);
        var child = new Rtt(rtt, lvl, childBase, RttGeometry.EntriesPerTable);
        for (int i = 0; i < child.Entries.Length; i++)
            child.Entries[i] = e.Hipas switch
            {
                Hipas.Unassigned => new RttEntry { Hipas = Hipas.Unassigned, Ripas = e.Ripas },
                Hipas.UnassignedNs => new RttEntry { Hipas = Hipas.UnassignedNs },
                // A block splits into pages/blocks over the same output range, same RIPAS / attributes.
                _ => new RttEntry { Hipas = e.Hipas, Ripas = e.Ripas, Address = e.Address + (ulong)i * child.EntrySize },
            };
        e = new RttEntry { Hipas = Hipas.Table, Child = child, Address = rtt };
        _granules.Set(rtt, GranuleState.Rtt);
        _rtts[rtt] = child;
        return SmcResult.Success;
    }

    /// <summary>RMI_RTT_DESTROY(rd, ipa, level) → X1 rtt_pa, X2 top.</summary>
    private SmcResult RttDestroy(ulong rd, ulong ipa, long level)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (StructureArgs(realm, ipa, level) is { } why) return Input(why);
        int lvl = (int)level;
        var (parent, reached) = realm.Walk(ipa, lvl - 1);
        ref var e = ref parent.Entries[parent.IndexOf(ipa)];
        if (reached < lvl - 1 || e.Hipas != Hipas.Table)
            return Fail(RmiStatus.ErrorRtt, $"there is no level-{lvl} table at {Hex(ipa)} (the walk stops at level {reached})", reached, 0, parent.NextLive(ipa + parent.EntrySize));
        var child = e.Child!;
        if (child.IsLive) return Fail(RmiStatus.ErrorRtt, $"the level-{lvl} table at {Hex(ipa)} still holds TABLE or ASSIGNED entries", lvl, 0, ipa);
        e = realm.IsProtected(ipa) ? new RttEntry { Hipas = Hipas.Unassigned, Ripas = Ripas.Destroyed } : new RttEntry { Hipas = Hipas.UnassignedNs };
        _rtts.Remove(child.Pa);
        ReturnToDelegated(child.Pa);
        return SmcResult.Of(RmiStatus.Success, 0, child.Pa, parent.NextLive(ipa));
    }

    /// <summary>RMI_RTT_READ_ENTRY(rd, ipa, level) → X1 walk level, X2 state, X3 desc, X4 ripas. Never ERROR_RTT.</summary>
    private SmcResult RttReadEntry(ulong rd, ulong ipa, long level)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (level < realm.StartLevel || level > 3) return Input($"level {level} is outside [{realm.StartLevel}, 3]");
        if (ipa % RttGeometry.EntrySize((int)level) != 0) return Input($"ipa {Hex(ipa)} is not aligned to a level-{level} entry");
        if (ipa >= realm.IpaLimit) return Input($"ipa {Hex(ipa)} is beyond the Realm's IPA space");
        var (t, reached) = realm.Walk(ipa, (int)level);
        var e = t.Entries[t.IndexOf(ipa)];
        var (state, desc, ripas) = e.Hipas switch
        {
            Hipas.Unassigned => (RmiRttEntryState.Unassigned, 0UL, e.Ripas),
            Hipas.Assigned => (RmiRttEntryState.Assigned, e.Ripas == Ripas.Destroyed ? 0 : e.Address, e.Ripas),
            Hipas.UnassignedNs => (RmiRttEntryState.Unassigned, 0UL, Ripas.Empty),
            Hipas.AssignedNs => (RmiRttEntryState.Assigned, e.Address, Ripas.Empty),
            _ => (RmiRttEntryState.Table, e.Address, Ripas.Empty),
        };
        return SmcResult.Of(RmiStatus.Success, 0, (ulong)reached, (ulong)state, desc, (ulong)ripas);
    }

    /// <summary>level_bound, ipa_align, ipa_bound of the RTT structure commands: level ∈ [SL+1, 3], ipa aligned to a level-1 entry.</summary>
    private static string? StructureArgs(Realm realm, ulong ipa, long level)
    {
        if (level < realm.StartLevel + 1 || level > 3) return $"level {level} is outside [{realm.StartLevel + 1}, 3]";
        if (ipa % RttGeometry.EntrySize((int)level - 1) != 0) return $"ipa {Hex(ipa)} is not aligned to a level-{level - 1} entry";
        if (ipa >= realm.IpaLimit) return $"ipa {Hex(ipa)} is beyond the Realm's IPA space (2^{realm.S2sz})";
        return null;
    }
}
