using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_RTT_FOLD(rd, ipa, level) → X1 rtt_pa: a homogeneous table becomes one entry of its parent.</summary>
    private SmcResult RttFold(ulong rd, ulong ipa, long level)
    {
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        if (StructureArgs(realm, ipa, level) is { } why) return Input(why);
        int lvl = (int)level;
        var (parent, reached) = realm.Walk(ipa, lvl - 1);
        if (reached < lvl - 1) return Fail(RmiStatus.ErrorRtt, $"the walk to {Hex(ipa)} stops at level {reached}", reached);
        ref var p = ref parent.Entries[parent.IndexOf(ipa)];
        if (p.Hipas != Hipas.Table) return Fail(RmiStatus.ErrorRtt, $"the level-{lvl - 1} entry for {Hex(ipa)} is not a table", lvl - 1);
        var child = p.Child!;
        if (Folded(child, lvl) is not { } folded) return Fail(RmiStatus.ErrorRtt, $"the level-{lvl} table at {Hex(ipa)} is not homogeneous", lvl);
        p = folded;
        _rtts.Remove(child.Pa);
        ReturnToDelegated(child.Pa);
        return SmcResult.Of(RmiStatus.Success, 0, child.Pa);
    }

    /// <summary>The single entry a homogeneous table folds into, or null (§3.4 folding rules).</summary>
    private static RttEntry? Folded(Rtt t, int level)
    {
        var first = t.Entries[0];
        ulong blockSize = RttGeometry.EntrySize(level - 1);
        bool same = true, contiguous = true;
        for (int i = 1; i < t.Entries.Length; i++)
        {
            var e = t.Entries[i];
            same &= e.Hipas == first.Hipas && e.Ripas == first.Ripas;
            contiguous &= e.Address == first.Address + (ulong)i * t.EntrySize;
        }
        if (!same) return null;
        return first.Hipas switch
        {
            Hipas.Unassigned => new RttEntry { Hipas = Hipas.Unassigned, Ripas = first.Ripas },
            Hipas.UnassignedNs => new RttEntry { Hipas = Hipas.UnassignedNs },
            Hipas.Assigned or Hipas.AssignedNs when contiguous && level >= 2 && (first.Address & OutputAddressMask) % blockSize == 0 =>
                new RttEntry { Hipas = first.Hipas, Ripas = first.Ripas, Address = first.Address },
            _ => null,
        };
    }
}
