using VirtCca.Tmm.Measurement;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Realms;

/// <summary>Realm states (§3.2).</summary>
public enum RealmState { New = 0, Active = 1, SystemOff = 2 }

/// <summary>One Realm: the state its RD granule holds.</summary>
public sealed class Realm(ulong rd, int s2sz, int sl, ushort vmid, byte[] rpv, RealmMeasurement measurement, Rtt root)
{
    public ulong Rd { get; } = rd;
    public RealmState State { get; set; } = RealmState.New;
    public int S2sz { get; } = s2sz;
    public int StartLevel { get; } = sl;
    public ushort Vmid { get; } = vmid;
    public byte[] PersonalizationValue { get; } = rpv;
    public RealmMeasurement Measurement { get; } = measurement;
    /// <summary>The starting-level RTTs, concatenated into one table of rtt_num_start·512 entries.</summary>
    public Rtt Root { get; } = root;
    public IReadOnlyList<ulong> RootGranules { get; init; } = [];

    /// <summary>
    /// rec_count: the index the next REC_CREATE must name in its MPIDR. It only grows — REC_DESTROY
    /// leaves it alone — so an index, and the MPIDR it encodes, is never handed out twice.
    /// </summary>
    public int NextRecIndex { get; private set; }

    /// <summary>The RD's reference count: RECs that exist now. REC_CREATE adds one, REC_DESTROY takes one away.</summary>
    public int LiveRecs { get; private set; }

    /// <summary>REC_CREATE: the new REC takes the next index (rec_index = rec_count++) and a reference on the RD.</summary>
    internal int AddRec()
    {
        LiveRecs++;
        return NextRecIndex++;
    }

    /// <summary>REC_DESTROY drops the RD's reference only; the index stays used.</summary>
    internal void RemoveRec() => LiveRecs--;

    public ulong IpaLimit => 1UL << S2sz;
    /// <summary>Protected IPA space (PAR) is the lower half; the top IPA bit marks unprotected addresses.</summary>
    public bool IsProtected(ulong ipa) => ipa < 1UL << (S2sz - 1);

    /// <summary>Live (REALM_DESTROY refuses): it has RECs, or a starting-level entry is TABLE or ASSIGNED.</summary>
    public bool IsLive => LiveRecs > 0 || Root.IsLive;

    /// <summary>Walks from the root towards <paramref name="level"/>; returns the table holding the entry reached and its level.</summary>
    public (Rtt Table, int Level) Walk(ulong ipa, int level)
    {
        var t = Root;
        while (t.Level < level)
        {
            ref var e = ref t.Entries[t.IndexOf(ipa)];
            if (e.Hipas != Hipas.Table) break;
            t = e.Child!;
        }
        return (t, t.Level);
    }
}
