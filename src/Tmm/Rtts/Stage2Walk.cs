using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>
    /// The walk a CPU's MMU makes through a Realm's stage 2 (the RTT the TMM keeps in secure memory):
    /// where a Realm access at <paramref name="ipa"/> lands without trapping — protected RAM in its DATA
    /// granule's secure pool granule, an unprotected page at the host's mapped address — or false, when
    /// the access must trap to the TMM (unbacked RAM, EMPTY or DESTROYED memory, an unmapped device).
    /// </summary>
    public bool Translate(ulong rd, ulong ipa, out ulong pa, out bool secure)
    {
        pa = 0; secure = false;
        if (RealmAt(rd) is not { } realm || ipa >= realm.IpaLimit) return false;
        if (Resolve(realm, ipa, out var target) != AccessOutcome.Normal) return false;
        (pa, secure) = (target.Address, target.Secure);
        return true;
    }
}
