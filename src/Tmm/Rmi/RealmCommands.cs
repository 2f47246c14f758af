using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Measurement;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_REALM_CREATE(rd, params_ptr), checks in the order of §4.</summary>
    private SmcResult RealmCreate(ulong rd, ulong paramsPtr)
    {
        // 1. params_align / params_bound / params_pas: the params granule must still be the host's.
        if (HostPageArg("params", paramsPtr) is { } notHost) return Input(notHost);
        var page = new byte[GranuleTable.GranuleSize];
        _dram.Read(paramsPtr, page);
        var p = RealmParams.Parse(page);

        // 2. params_supp / params_valid.
        if (Invalid(p) is { } why) return Input(why);

        // 3. alias: rd inside the starting RTTs.
        ulong rttEnd = p.RttBase + p.RttNumStart * GranuleTable.GranuleSize;
        if (rd >= p.RttBase && rd < rttEnd) return Input($"rd {Hex(rd)} lies inside the starting RTTs [{Hex(p.RttBase)}, {Hex(rttEnd)})");

        // 4. rd and every starting RTT must be DELEGATED.
        if (!_granules.Is(rd, GranuleState.Delegated)) return Input($"rd {Hex(rd)} is not a DELEGATED granule");
        for (ulong g = p.RttBase; g < rttEnd; g += GranuleTable.GranuleSize)
            if (!_granules.Is(g, GranuleState.Delegated)) return Input($"starting RTT {Hex(g)} is not a DELEGATED granule");

        var hash = (RmiHashAlgorithm)p.HashAlgo;
        var measurement = new RealmMeasurement(hash);
        measurement.MeasureRealmCreate(p.Flags, p.S2sz, p.SveVl, p.NumBps, p.NumWps, p.PmuNumCtrs);
        int sl = (int)p.RttLevelStart;
        var root = new Rtt(p.RttBase, sl, 0, (int)p.RttNumStart * RttGeometry.EntriesPerTable);
        var realm = new Realm(rd, p.S2sz, sl, p.Vmid, p.Rpv, measurement, root)
        {
            RootGranules = Enumerable.Range(0, (int)p.RttNumStart).Select(i => p.RttBase + (ulong)i * GranuleTable.GranuleSize).ToArray(),
        };
        InitEntries(realm, root);
        _granules.Set(rd, GranuleState.Rd);
        foreach (var g in realm.RootGranules) { _granules.Set(g, GranuleState.Rtt); _rtts[g] = root; }
        _realms[rd] = realm;
        _vmids.Add(p.Vmid);
        return SmcResult.Success;
    }

    private string? Invalid(RealmParams p)
    {
        if ((p.Flags & RealmParams.FlagLpa2) != 0) return "flags.LPA2 requested; this TMM does not support LPA2";
        if ((p.Flags & RealmParams.FlagSve) != 0) return "flags.SVE requested; this TMM does not support SVE";
        if ((p.Flags & RealmParams.FlagPmu) != 0) return "flags.PMU requested; this TMM does not support a PMU";
        if (p.S2sz < 32 || p.S2sz > Config.MaxS2sz) return $"s2sz {p.S2sz} is outside [32, {Config.MaxS2sz}]";
        if (p.NumBps == 0 || p.NumBps > Config.NumBps) return $"num_bps {p.NumBps} is outside [1, {Config.NumBps}]";
        if (p.NumWps == 0 || p.NumWps > Config.NumWps) return $"num_wps {p.NumWps} is outside [1, {Config.NumWps}]";
        int roots = RttGeometry.RootTables(p.S2sz, p.RttLevelStart);
        if (roots == 0) return $"rtt_level_start {p.RttLevelStart} is not valid for s2sz {p.S2sz}";
        if (p.RttNumStart != roots) return $"rtt_num_start {p.RttNumStart} is not the {roots} starting RTTs that s2sz {p.S2sz} at level {p.RttLevelStart} needs";
        if (p.HashAlgo > 1) return $"hash_algo {p.HashAlgo} is a reserved encoding";
        if (p.HashAlgo == 0 && !Config.Sha256 || p.HashAlgo == 1 && !Config.Sha512) return $"hash_algo {p.HashAlgo} is not supported";
        if (p.Vmid >= 1UL << Config.VmidBits) return $"vmid {p.Vmid} is not below 2^{Config.VmidBits}";
        if (_vmids.Contains(p.Vmid)) return $"vmid {p.Vmid} is in use by another Realm";
        return null;
    }

    /// <summary>Fresh starting RTTs: UNASSIGNED/EMPTY in the protected half, UNASSIGNED_NS in the unprotected half.</summary>
    private static void InitEntries(Realm realm, Rtt t)
    {
        for (int i = 0; i < t.Entries.Length; i++)
        {
            ulong ipa = t.Base + (ulong)i * t.EntrySize;
            t.Entries[i] = realm.IsProtected(ipa)
                ? new RttEntry { Hipas = Hipas.Unassigned, Ripas = Ripas.Empty }
                : new RttEntry { Hipas = Hipas.UnassignedNs };
        }
    }

    /// <summary>RMI_REALM_ACTIVATE: rd checks → INPUT; not NEW → ERROR_REALM. The RIM is frozen from here on.</summary>
    private SmcResult RealmActivate(ulong rd)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (realm.State != RealmState.New) return Fail(RmiStatus.ErrorRealm, $"the Realm is {realm.State}, not NEW");
        realm.State = RealmState.Active;
        realm.Measurement.Seal();
        return SmcResult.Success;
    }

    /// <summary>RMI_REALM_DESTROY: rd checks → INPUT; live Realm → ERROR_REALM. RD and starting RTTs go back to DELEGATED, the VMID is freed.</summary>
    private SmcResult RealmDestroy(ulong rd)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (realm.IsLive) return Fail(RmiStatus.ErrorRealm, realm.LiveRecs > 0 ? $"the Realm still has {realm.LiveRecs} REC(s)" : "a starting-level RTT entry is still TABLE or ASSIGNED");
        foreach (var g in realm.RootGranules) { _rtts.Remove(g); ReturnToDelegated(g); }
        ReturnToDelegated(rd);
        _realms.Remove(rd);
        _vmids.Remove(realm.Vmid);
        return SmcResult.Success;
    }
}
