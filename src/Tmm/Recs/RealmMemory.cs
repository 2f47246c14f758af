using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Recs;

/// <summary>Where a Realm access lands (§5.4 memory-access outcomes).</summary>
public enum AccessOutcome
{
    /// <summary>Normal access: in a DATA granule (secure pool) or a host page mapped unprotected.</summary>
    Normal,
    /// <summary>A synchronous external abort taken inside the Realm, no exit.</summary>
    Sea,
    /// <summary>REC exit SYNC the host can emulate (an MMIO access at an unprotected IPA).</summary>
    ExitEmulatable,
    /// <summary>REC exit SYNC the host cannot emulate (protected RAM not backed, or DESTROYED).</summary>
    ExitNonEmulatable,
}

/// <summary>The resolved target of a normal access: a secure address or a normal-world one.</summary>
public readonly record struct AccessTarget(bool Secure, ulong Address);

/// <summary>Resolves Realm accesses against its RTTs.</summary>
public static class RealmMemoryResolver
{
    /// <summary>Resolves a Realm data access to IPA <paramref name="ipa"/>; <paramref name="dataGranule"/> maps a DATA granule PA to its secure backing.</summary>
    public static AccessOutcome Resolve(Realm realm, ulong ipa, Func<ulong, ulong> dataGranule, Func<ulong, bool> hostOwns, out AccessTarget target)
    {
        target = default;
        if (ipa >= realm.IpaLimit) return AccessOutcome.Sea;
        var (t, _) = realm.Walk(ipa, 3);
        var e = t.Entries[t.IndexOf(ipa)];
        ulong offset = ipa % t.EntrySize;
        if (realm.IsProtected(ipa))
        {
            if (e.Ripas == Ripas.Empty) return AccessOutcome.Sea;
            if (e.Ripas == Ripas.Destroyed) return AccessOutcome.ExitNonEmulatable;
            if (e.Hipas != Hipas.Assigned) return AccessOutcome.ExitNonEmulatable;
            ulong pa = e.Address + offset;
            target = new AccessTarget(true, dataGranule(pa & ~0xFFFUL) + (pa & 0xFFF));
            return AccessOutcome.Normal;
        }
        if (e.Hipas == Hipas.AssignedNs)
        {
            ulong pa = (e.Address & 0x0000_FFFF_FFFF_F000) + offset;
            // The TZASC refuses a non-secure mapping onto memory the TMM owns: the Realm gets an abort.
            if (!hostOwns(pa & ~0xFFFUL)) return AccessOutcome.Sea;
            target = new AccessTarget(false, pa);
            return AccessOutcome.Normal;
        }
        return AccessOutcome.ExitEmulatable;
    }
}
