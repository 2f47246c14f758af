using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

/// <summary>
/// What an experiment harness may look at in the TMM that no caller of the ABI can: where a delegated
/// granule's contents live, every page a Realm's RTT maps, a Realm's RECs. Security experiments use it
/// to aim attacks as a well-informed host would and to prove afterwards that a Realm's state did not change.
/// </summary>
public sealed partial class Rmm
{
    /// <summary>The secure pool granule that backs a delegated granule (the shadow mapping), or null when the host still owns it.</summary>
    public ulong? BackingOf(ulong pa)
    {
        ulong g = pa & ~(GranuleTable.GranuleSize - 1);
        return _granules.StateOf(g) == GranuleState.Undelegated ? null : _granules.SecureOf(g) + (pa - g);
    }

    /// <summary>Every protected 4 KiB page the Realm's RTT maps, in IPA order: its IPA, its DATA granule and the pool granule behind it.</summary>
    public IEnumerable<(ulong Ipa, ulong Granule, ulong Backing)> DataPages(ulong rd)
    {
        if (RealmAt(rd) is not { } realm) yield break;
        foreach (var page in Pages(realm.Root))
            if (realm.IsProtected(page.Ipa)) yield return (page.Ipa, page.Granule, _granules.SecureOf(page.Granule));
    }

    private static IEnumerable<(ulong Ipa, ulong Granule)> Pages(Rtt t)
    {
        for (int i = 0; i < t.Entries.Length; i++)
        {
            var e = t.Entries[i];
            ulong ipa = t.Base + (ulong)i * t.EntrySize;
            if (e.Hipas == Hipas.Table) foreach (var p in Pages(e.Child!)) yield return p;
            else if (e.Hipas == Hipas.Assigned)
                for (ulong off = 0; off < t.EntrySize; off += GranuleTable.GranuleSize) yield return (ipa + off, e.Address + off);
        }
    }

    /// <summary>The live RECs of a Realm, by index.</summary>
    public IEnumerable<Rec> RecsOf(ulong rd) => _recs.Values.Where(r => r.Realm.Rd == rd).OrderBy(r => r.Index);

    /// <summary>The Realm whose RD is at <paramref name="rd"/>, if it is one.</summary>
    public Realms.Realm? RealmOf(ulong rd) => RealmAt(rd);
}
