using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    private const ulong OutputAddressMask = 0x0000_FFFF_FFFF_F000;
    private const ulong MemAttrMask = 0b111 << 2, S2ApMask = 0b11 << 6;

    /// <summary>RMI_RTT_MAP_UNPROTECTED(rd, ipa, level, desc): a host page into the unprotected half (§4 order; level checked before rd).</summary>
    private SmcResult RttMapUnprotected(ulong rd, ulong ipa, long level, ulong desc)
    {
        if (level is < 1 or > 3) return Input($"level {level} is outside [1, 3]");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if ((desc & ~(OutputAddressMask | MemAttrMask | S2ApMask)) != 0) return Input($"desc {Hex(desc)} sets bits other than OA, MemAttr and S2AP");
        if (((desc & MemAttrMask) >> 2) == 0b100) return Input("desc MemAttr 0b100 is reserved");
        if ((desc & OutputAddressMask) % RttGeometry.EntrySize((int)level) != 0) return Input($"desc output address is not aligned to a level-{level} entry");
        if (UnprotectedIpa(realm, ipa, level) is { } why) return Input(why);
        var (t, reached) = realm.Walk(ipa, (int)level);
        if (reached < level) return Fail(RmiStatus.ErrorRtt, $"the walk to {Hex(ipa)} stops at level {reached}", reached);
        ref var e = ref t.Entries[t.IndexOf(ipa)];
        if (e.Hipas != Hipas.UnassignedNs) return Fail(RmiStatus.ErrorRtt, $"the entry for {Hex(ipa)} is {e.Hipas}, not UNASSIGNED_NS", (int)level);
        e = new RttEntry { Hipas = Hipas.AssignedNs, Address = desc };
        return SmcResult.Success;
    }

    /// <summary>RMI_RTT_UNMAP_UNPROTECTED(rd, ipa, level) → X1 top.</summary>
    private SmcResult RttUnmapUnprotected(ulong rd, ulong ipa, long level)
    {
        if (level is < 1 or > 3) return Input($"level {level} is outside [1, 3]");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (UnprotectedIpa(realm, ipa, level) is { } why) return Input(why);
        var (t, reached) = realm.Walk(ipa, (int)level);
        ref var e = ref t.Entries[t.IndexOf(ipa)];
        if (reached < level || e.Hipas != Hipas.AssignedNs)
            return Fail(RmiStatus.ErrorRtt, $"no ASSIGNED_NS entry at level {level} for {Hex(ipa)}", reached, t.NextLive(ipa + t.EntrySize));
        e = new RttEntry { Hipas = Hipas.UnassignedNs };
        return SmcResult.Of(RmiStatus.Success, 0, t.NextLive(ipa));
    }

    private static string? UnprotectedIpa(Realm realm, ulong ipa, long level)
    {
        if (ipa % RttGeometry.EntrySize((int)level) != 0) return $"ipa {Hex(ipa)} is not aligned to a level-{level} entry";
        if (ipa >= realm.IpaLimit) return $"ipa {Hex(ipa)} is beyond the Realm's IPA space";
        if (realm.IsProtected(ipa)) return $"ipa {Hex(ipa)} is in the protected half";
        return null;
    }
}
