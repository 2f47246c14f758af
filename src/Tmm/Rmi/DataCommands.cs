using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Measurement;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_DATA_CREATE(rd, data, ipa, src, flags): copy a host page into a new DATA granule, measured (§4 order).</summary>
    private SmcResult DataCreate(ulong rd, ulong data, ulong ipa, ulong src, ulong flags)
    {
        if (flags > MeasurementDescriptors.MeasureContent) return Input($"flags {flags} is neither NO_MEASURE_CONTENT nor MEASURE_CONTENT");
        if (HostPageArg("src", src) is { } why) return Input(why);
        return DataCreateCommon(rd, data, ipa, realm =>
        {
            if (realm.State != RealmState.New) return Fail(RmiStatus.ErrorRealm, $"the Realm is {realm.State}, not NEW");
            return null;
        }, (realm, entry) =>
        {
            var content = new byte[GranuleTable.GranuleSize];
            _dram.Read(src, content);
            _secure.Write(_granules.SecureOf(data), content);
            entry = new RttEntry { Hipas = Hipas.Assigned, Ripas = Ripas.Ram, Address = data };
            realm.Measurement.MeasureData(ipa, flags, content);
            return entry;
        });
    }

    /// <summary>RMI_DATA_CREATE_UNKNOWN(rd, data, ipa): a zero DATA granule, RIPAS unchanged, not measured, any Realm state.</summary>
    private SmcResult DataCreateUnknown(ulong rd, ulong data, ulong ipa) =>
        DataCreateCommon(rd, data, ipa, _ => null, (_, entry) => new RttEntry { Hipas = Hipas.Assigned, Ripas = entry.Ripas, Address = data });

    private SmcResult DataCreateCommon(ulong rd, ulong data, ulong ipa, Func<Realm, SmcResult?> stateCheck, Func<Realm, RttEntry, RttEntry> assign)
    {
        if (!_granules.Is(data, GranuleState.Delegated)) return Input($"data {Hex(data)} is not a DELEGATED granule");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (stateCheck(realm) is { } refused) return refused;
        if (PageIpa(realm, ipa) is { } why) return Input(why);
        var (t, reached) = realm.Walk(ipa, 3);
        if (reached < 3) return Fail(RmiStatus.ErrorRtt, $"no level-3 table covers {Hex(ipa)} (the walk stops at level {reached})", reached);
        ref var e = ref t.Entries[t.IndexOf(ipa)];
        if (e.Hipas != Hipas.Unassigned) return Fail(RmiStatus.ErrorRtt, $"the level-3 entry for {Hex(ipa)} is {e.Hipas}, not UNASSIGNED", 3);
        e = assign(realm, e);
        _granules.Set(data, GranuleState.Data);
        return SmcResult.Success;
    }

    /// <summary>RMI_DATA_DESTROY(rd, ipa) → X1 data_pa, X2 top.</summary>
    private SmcResult DataDestroy(ulong rd, ulong ipa)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (PageIpa(realm, ipa) is { } why) return Input(why);
        var (t, reached) = realm.Walk(ipa, 3);
        if (reached < 3) return Fail(RmiStatus.ErrorRtt, $"no level-3 table covers {Hex(ipa)}", reached, 0, t.NextLive(ipa + t.EntrySize));
        ref var e = ref t.Entries[t.IndexOf(ipa)];
        if (e.Hipas != Hipas.Assigned) return Fail(RmiStatus.ErrorRtt, $"the level-3 entry for {Hex(ipa)} is {e.Hipas}, not ASSIGNED", 3, 0, t.NextLive(ipa + t.EntrySize));
        ulong data = e.Address;
        e = new RttEntry { Hipas = Hipas.Unassigned, Ripas = e.Ripas == Ripas.Empty ? Ripas.Empty : Ripas.Destroyed };
        ReturnToDelegated(data);
        return SmcResult.Of(RmiStatus.Success, 0, data, t.NextLive(ipa));
    }

    /// <summary>A page IPA argument: in the protected half, 4 KiB aligned, inside the IPA space.</summary>
    private static string? PageIpa(Realm realm, ulong ipa)
    {
        if (ipa % GranuleTable.GranuleSize != 0) return $"ipa {Hex(ipa)} is not 4 KiB aligned";
        if (ipa >= realm.IpaLimit) return $"ipa {Hex(ipa)} is beyond the Realm's IPA space";
        if (!realm.IsProtected(ipa)) return $"ipa {Hex(ipa)} is unprotected; Realm data lives in the protected half";
        return null;
    }
}
