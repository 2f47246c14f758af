using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>
    /// Checks the TMM's own consistency, for fuzzers and tests: every non-UNDELEGATED granule is in
    /// exactly the structure its state says; every DATA granule is mapped exactly once; delegated
    /// granules and free pool memory hold nothing; no normal-world page that the TMM owns holds data.
    /// Returns the violations found (empty when consistent).
    /// </summary>
    public IReadOnlyList<string> CheckInvariants()
    {
        var problems = new List<string>();
        var mapped = new Dictionary<ulong, int>();
        var tables = new HashSet<ulong>();
        foreach (var realm in _realms.Values)
            Collect(realm.Root, mapped, tables, problems);
        var aux = _recs.Values.SelectMany(r => r.Aux).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());

        var buf = new byte[GranuleTable.GranuleSize];
        foreach (var (pa, state) in _granules.Delegated)
        {
            if (!_dram.IsZero(pa)) problems.Add($"granule 0x{pa:X} is {state} but its normal-world page is not zero");
            switch (state)
            {
                case GranuleState.Delegated:
                    _secure.Read(_granules.SecureOf(pa), buf);
                    if (buf.AsSpan().IndexOfAnyExcept((byte)0) >= 0) problems.Add($"DELEGATED granule 0x{pa:X} is not scrubbed");
                    break;
                case GranuleState.Rd when !_realms.ContainsKey(pa): problems.Add($"RD 0x{pa:X} has no Realm"); break;
                case GranuleState.Rtt when !_rtts.ContainsKey(pa): problems.Add($"RTT 0x{pa:X} is in no Realm's tables"); break;
                case GranuleState.Rec when !_recs.ContainsKey(pa): problems.Add($"REC 0x{pa:X} has no REC"); break;
                case GranuleState.RecAux when aux.GetValueOrDefault(pa) != 1: problems.Add($"REC_AUX 0x{pa:X} belongs to {aux.GetValueOrDefault(pa)} RECs"); break;
                case GranuleState.Data when mapped.GetValueOrDefault(pa) != 1: problems.Add($"DATA 0x{pa:X} is mapped {mapped.GetValueOrDefault(pa)} times"); break;
            }
        }
        foreach (var (pa, count) in mapped)
            if (_granules.StateOf(pa) != GranuleState.Data) problems.Add($"an ASSIGNED entry maps 0x{pa:X}, which is {_granules.StateOf(pa)}");
        foreach (var pa in _rtts.Keys)
            if (_granules.StateOf(pa) != GranuleState.Rtt) problems.Add($"RTT 0x{pa:X} is {_granules.StateOf(pa)}");
        foreach (var r in _recs.Values)
            if (!_realms.ContainsKey(r.Realm.Rd)) problems.Add($"REC 0x{r.Pa:X} outlived its Realm");
        CheckRecIdentities(problems);
        if (_secure.GranulesInUse != _granules.Delegated.Count()) problems.Add($"{_secure.GranulesInUse} pool granules in use for {_granules.Delegated.Count()} delegated granules");
        return problems;
    }

    /// <summary>
    /// A REC's MPIDR is its identity inside the Realm (PSCI names targets by it): no two live RECs of a
    /// Realm share one, every index is below the Realm's rec_count, and the RD counts its live RECs.
    /// </summary>
    private void CheckRecIdentities(List<string> problems)
    {
        foreach (var g in _recs.Values.GroupBy(r => (r.Realm, r.Mpidr)).Where(g => g.Count() > 1))
            problems.Add($"RECs {string.Join(", ", g.Select(r => $"0x{r.Pa:X}"))} of Realm 0x{g.Key.Realm.Rd:X} share MPIDR 0x{g.Key.Mpidr:X}");
        foreach (var r in _recs.Values.Where(r => r.Index >= r.Realm.NextRecIndex))
            problems.Add($"REC 0x{r.Pa:X} has index {r.Index}, not below its Realm's rec_count {r.Realm.NextRecIndex}");
        var live = _recs.Values.GroupBy(r => r.Realm).ToDictionary(g => g.Key, g => g.Count());
        foreach (var realm in _realms.Values.Where(realm => realm.LiveRecs != live.GetValueOrDefault(realm)))
            problems.Add($"Realm 0x{realm.Rd:X} counts {realm.LiveRecs} live RECs but has {live.GetValueOrDefault(realm)}");
    }

    private static void Collect(Rtt t, Dictionary<ulong, int> mapped, HashSet<ulong> tables, List<string> problems)
    {
        foreach (var e in t.Entries)
        {
            if (e.Hipas == Hipas.Table)
            {
                if (!tables.Add(e.Address)) problems.Add($"RTT 0x{e.Address:X} is linked twice");
                Collect(e.Child!, mapped, tables, problems);
            }
            else if (e.Hipas == Hipas.Assigned)
            {
                for (ulong off = 0; off < t.EntrySize; off += GranuleTable.GranuleSize)
                    mapped[e.Address + off] = mapped.GetValueOrDefault(e.Address + off) + 1;
            }
        }
    }
}
