using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_RTT_INIT_RIPAS(rd, base, top) → X1 first IPA not processed. Entries of one RTT, each measured.</summary>
    private SmcResult RttInitRipas(ulong rd, ulong baseIpa, ulong top)
    {
        if (top <= baseIpa) return Input($"top {Hex(top)} is not above base {Hex(baseIpa)}");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (baseIpa % GranuleTable.GranuleSize != 0 || top % GranuleTable.GranuleSize != 0) return Input("base and top must be 4 KiB aligned");
        if (!realm.IsProtected(baseIpa) || !realm.IsProtected(top - 1)) return Input($"[{Hex(baseIpa)}, {Hex(top)}) is not inside the protected IPA space");
        if (realm.State != RealmState.New) return Fail(RmiStatus.ErrorRealm, $"the Realm is {realm.State}, not NEW");
        var (t, level) = realm.Walk(baseIpa, 3);
        if (baseIpa % t.EntrySize != 0) return Fail(RmiStatus.ErrorRtt, $"base {Hex(baseIpa)} is not aligned to the level-{level} entry the walk reaches", level);
        ulong ipa = baseIpa;
        for (int i = t.IndexOf(ipa); i < t.Entries.Length && ipa + t.EntrySize <= top; i++, ipa += t.EntrySize)
        {
            ref var e = ref t.Entries[i];
            if (e.Hipas != Hipas.Unassigned || e.Ripas == Ripas.Destroyed) break;
            e.Ripas = Ripas.Ram;
            realm.Measurement.MeasureRipas(ipa, ipa + t.EntrySize);
        }
        if (ipa == baseIpa) return Fail(RmiStatus.ErrorRtt, $"no entry from {Hex(baseIpa)} could be initialised (crosses top, or not UNASSIGNED)", level);
        return SmcResult.Of(RmiStatus.Success, 0, ipa);
    }

    /// <summary>RMI_RTT_SET_RIPAS(rd, rec, base, top) → X1 progress: applies part of a RIPAS change the REC asked for (§5.5).</summary>
    private SmcResult RttSetRipas(ulong rd, ulong rec, ulong baseIpa, ulong top)
    {
        if (top <= baseIpa || top % GranuleTable.GranuleSize != 0) return Input($"[{Hex(baseIpa)}, {Hex(top)}) is empty or top is not 4 KiB aligned");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        var r = RecGranule(rec);
        if (r == null) return Input($"rec {Hex(rec)} is not a REC granule");
        if (r.RunningWith != null) return Fail(RmiStatus.ErrorRec, "the REC is running on a CPU");
        if (r.Realm != realm) return Fail(RmiStatus.ErrorRec, "the REC belongs to another Realm");
        if (r.PendingRipas is not { } req || baseIpa != req.Addr) return Input($"base {Hex(baseIpa)} is not where the REC's RIPAS request stands");
        if (top > req.Top) return Input($"top {Hex(top)} is beyond the request's top {Hex(req.Top)}");
        var (t, level) = realm.Walk(baseIpa, 3);
        if (baseIpa % t.EntrySize != 0) return Fail(RmiStatus.ErrorRtt, $"base {Hex(baseIpa)} is not aligned to the level-{level} entry the walk reaches", level);
        ulong ipa = baseIpa;
        for (int i = t.IndexOf(ipa); i < t.Entries.Length && ipa + t.EntrySize <= top; i++, ipa += t.EntrySize)
        {
            ref var e = ref t.Entries[i];
            if (e.Hipas is not (Hipas.Unassigned or Hipas.Assigned)) break;
            if (e.Ripas == Ripas.Destroyed && !req.ChangeDestroyed) break;
            e.Ripas = (Ripas)req.Value;
        }
        if (ipa == baseIpa) return Fail(RmiStatus.ErrorRtt, $"no entry from {Hex(baseIpa)} could change RIPAS", level);
        r.PendingRipas = req with { Addr = ipa };
        return SmcResult.Of(RmiStatus.Success, 0, ipa);
    }
}
