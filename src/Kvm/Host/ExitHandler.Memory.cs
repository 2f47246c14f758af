using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.Kvm.Exits;
using VirtCca.Kvm.Realms;
using VirtCca.Kvm.Vcpus;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Host;

/// <summary>
/// Guest memory on demand and RIPAS changes. A stage-2 fault on guest RAM maps the memslot's host page:
/// in KVM's own table for a normal VM; for a realm by delegating the host page and
/// RMI_DATA_CREATE_UNKNOWN into its RTT. Missing RTT levels are created (a delegated granule and
/// RMI_RTT_CREATE) wherever an RMI call stops at a level with ERROR_RTT, instead of failing.
/// </summary>
public sealed partial class ExitHandler
{
    private IEnumerable<HostOp> Stage2Fault(KvmVcpu v, KvmExit e)
    {
        var g = v.Guest;
        v.Stage2Faults++;
        if (!g.IsRealm)
        {
            if (g.Stage2!.Map(e.Address))
            {
                yield return HostOp.Work(costs.Stage2Fault, "KVM maps a RAM page into the VM's stage 2");
                yield break;
            }
            // Not RAM: an access to a device nobody registered; the VMM answers it (reads as zero).
            foreach (var op in Mmio(v, e with { Kind = ExitKind.Mmio, Size = 4 })) yield return op;
            yield break;
        }
        ulong ipa = Granule.Of(e.Address);
        yield return HostOp.Work(costs.Stage2Fault, "KVM handles the realm's stage-2 fault");
        if (!g.Memory.IsRam(ipa))
        {
            // Nothing backs it and nothing can: the realm gets a synchronous external abort on its next entry.
            v.EntryFlags |= RecEntryFlags.InjectSea;
            yield break;
        }
        if (g.Abi == HostAbi.Tmi)
            throw new SimulationException($"{v}: a stage-2 fault at IPA 0x{ipa:X} of {g.Name}'s RAM, which TMI mapped in full at activation (TTT_MAP_RANGE)");
        if (!g.Book.BeginPopulating(ipa)) yield break; // populated, or being populated for another vCPU: the access just runs again
        ulong page = g.Memory.HostPageOf(ipa);
        var rmi = new RealmRmi(cpu, g, $"stage-2 fault handling for {v}");
        yield return rmi.Call(RmiFid.GranuleDelegate, page);
        rmi.Expect($"GRANULE_DELEGATE of host page 0x{page:X} for IPA 0x{ipa:X}");
        g.Book.AddDelegated(page);
        foreach (var op in rmi.WithTables(ipa, () => rmi.Call(RmiFid.DataCreateUnknown, g.Realm!.Rd, page, ipa), $"DATA_CREATE_UNKNOWN of IPA 0x{ipa:X}"))
            yield return op;
        g.Book.AddPopulated(ipa, onDemand: true);
    }

    /// <summary>
    /// A realm's RIPAS change: RMI_RTT_SET_RIPAS from where the request stands, again from wherever each
    /// call got to, until the whole range is done (creating tables where a call stops at a level that is
    /// too coarse); the next entry accepts it.
    /// </summary>
    private IEnumerable<HostOp> RipasChange(KvmVcpu v, ulong from, ulong top)
    {
        yield return HostOp.Work(costs.NullExit, "KVM handles the RIPAS change");
        var g = v.Guest;
        var rmi = new RealmRmi(cpu, g, $"RIPAS change for {v}");
        while (from < top)
        {
            ulong at = from;
            yield return rmi.Call(RmiFid.RttSetRipas, g.Realm!.Rd, v.Rec, at, top);
            if (rmi.Last.Status == RmiStatus.ErrorRtt && rmi.Last.Index < 3)
            {
                foreach (var op in rmi.CreateTable(at, rmi.Last.Index + 1)) yield return op;
                continue;
            }
            rmi.Expect($"RMI_RTT_SET_RIPAS [0x{at:X}, 0x{top:X})");
            from = rmi.Last.X1;
        }
        v.EntryFlags &= ~RecEntryFlags.RipasResponse; // accept
    }
}
