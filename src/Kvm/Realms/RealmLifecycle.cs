using VirtCca.Cores.Host;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// KVM's creation and destruction of a realm through RMI, in a host's order (ARCHITECTURE §2), as host
/// work on one CPU. Creation: delegate and create the RD, RTT_INIT_RIPAS over all RAM (creating tables
/// where it stops), DATA_CREATE of the image pages (measured) and DATA_CREATE_UNKNOWN of the rest of the
/// pages populated at creation, REC_CREATE per vCPU with its aux granules, REALM_ACTIVATE. Destruction
/// takes back everything the <see cref="RealmBook"/> says KVM gave: RECs, DATA, RTTs deepest first, the
/// RD, then every delegated granule.
/// </summary>
public static class RealmLifecycle
{
    public const ulong MeasureContent = 1;

    public static IEnumerable<HostOp> Create(IHostCpu cpu, KvmGuest g)
    {
        const HostPhase P = HostPhase.Creation;
        var s = g.Shape;
        var rmi = new RealmRmi(cpu, g, $"realm creation of {g.Name}");
        var memory = cpu.Memory;
        g.Memory.ResetMetadata();
        g.Book.Clear();

        ulong rd = 0, root = 0;
        foreach (var op in rmi.Delegate("rd", x => rd = x, P)) yield return op;
        foreach (var op in rmi.Delegate("starting RTT", x => root = x, P)) yield return op;
        ulong paramsPage = g.Memory.AllocateMetadata();
        memory.Write(paramsPage, RealmParams(s, root));
        yield return rmi.Call(RmiFid.RealmCreate, rd, paramsPage, phase: P);
        rmi.Expect("REALM_CREATE");
        var recs = new ulong[s.Vcpus];
        var runs = new ulong[s.Vcpus];
        g.Realm = new RealmLayout(rd, recs, runs);

        for (ulong b = 0; b < s.Ram;)
        {
            ulong at = b;
            yield return rmi.Call(RmiFid.RttInitRipas, rd, at, s.Ram, phase: P);
            if (rmi.Last.Status == RmiStatus.ErrorRtt && rmi.Last.Index < 3)
            {
                foreach (var op in rmi.CreateTable(at, rmi.Last.Index + 1, P)) yield return op;
                continue;
            }
            rmi.Expect($"RTT_INIT_RIPAS [0x{at:X}, 0x{s.Ram:X})");
            b = rmi.Last.X1;
        }

        for (int page = 0; page < s.RamPages; page++)
        {
            ulong ipa = (ulong)page * RealmShape.PageSize, data = g.Memory.HostPageOf(ipa);
            yield return rmi.Call(RmiFid.GranuleDelegate, data, phase: P);
            rmi.Expect($"GRANULE_DELEGATE (RAM page {page})");
            g.Book.AddDelegated(data);
            if (page < s.ImagePages)
            {
                ulong src = g.Memory.AllocateMetadata();
                memory.Write(src, ImagePage(page));
                foreach (var op in rmi.WithTables(ipa, () => rmi.Call(RmiFid.DataCreate, rd, data, ipa, src, MeasureContent, P), $"DATA_CREATE image page {page}", P))
                    yield return op;
            }
            else foreach (var op in rmi.WithTables(ipa, () => rmi.Call(RmiFid.DataCreateUnknown, rd, data, ipa, phase: P), $"DATA_CREATE_UNKNOWN page {page}", P))
                yield return op;
            g.Book.AddPopulated(ipa, onDemand: false);
        }

        foreach (var op in MapShared(rmi, g, rd, P)) yield return op;

        ulong recParams = g.Memory.AllocateMetadata(); // one page for every REC_CREATE, as KVM frees it after each call
        for (int v = 0; v < s.Vcpus; v++)
        {
            ulong rec = 0;
            foreach (var op in rmi.Delegate($"REC {v}", x => rec = x, P)) yield return op;
            var aux = new ulong[s.RecAuxCount];
            for (int i = 0; i < aux.Length; i++)
                foreach (var op in rmi.Delegate($"REC {v} aux {i}", x => aux[i] = x, P)) yield return op;
            memory.Write(recParams, RecParams(v, v == 0 || s.SecondariesRunnable, aux));
            yield return rmi.Call(RmiFid.RecCreate, rd, rec, recParams, phase: P);
            rmi.Expect($"REC_CREATE vCPU {v}");
            recs[v] = rec;
            runs[v] = g.Memory.AllocateMetadata();
        }
        yield return rmi.Call(RmiFid.RealmActivate, rd, phase: P);
        rmi.Expect("REALM_ACTIVATE");
        g.CreationCalls = rmi.Calls;
    }

    public static IEnumerable<HostOp> Destroy(IHostCpu cpu, KvmGuest g)
    {
        const HostPhase P = HostPhase.Teardown;
        var rmi = new RealmRmi(cpu, g, $"realm destruction of {g.Name}");
        var realm = g.Realm ?? throw new InvalidOperationException($"{g.Name} has no realm to destroy");
        for (int v = 0; v < realm.Recs.Count; v++)
        {
            yield return rmi.Call(RmiFid.RecDestroy, realm.Recs[v], phase: P);
            rmi.Expect($"REC_DESTROY vCPU {v}");
        }
        foreach (var (ipa, level) in g.Book.Unprotected)
        {
            yield return rmi.Call(RmiFid.RttUnmapUnprotected, realm.Rd, ipa, (ulong)level, phase: P);
            rmi.Expect($"RTT_UNMAP_UNPROTECTED at IPA 0x{ipa:X}");
        }
        foreach (ulong ipa in g.Book.Populated)
        {
            yield return rmi.Call(RmiFid.DataDestroy, realm.Rd, ipa, phase: P);
            rmi.Expect($"DATA_DESTROY IPA 0x{ipa:X}");
        }
        foreach (var (level, ipa, _) in g.Book.Rtts.OrderByDescending(t => t.Level).ThenByDescending(t => t.Ipa))
        {
            yield return rmi.Call(RmiFid.RttDestroy, realm.Rd, ipa, (ulong)level, phase: P);
            rmi.Expect($"RTT_DESTROY level {level} at IPA 0x{ipa:X}");
        }
        yield return rmi.Call(RmiFid.RealmDestroy, realm.Rd, phase: P);
        rmi.Expect("REALM_DESTROY");
        foreach (ulong granule in g.Book.Delegated)
        {
            yield return rmi.Call(RmiFid.GranuleUndelegate, granule, phase: P);
            rmi.Expect($"GRANULE_UNDELEGATE 0x{granule:X}");
        }
        g.DestructionCalls = rmi.Calls;
        g.Book.Clear();
        g.Realm = null;
    }

    /// <summary>Normal memory, read-write (S2AP 0b11), in an unprotected mapping's descriptor.</summary>
    public const ulong SharedDescriptorAttributes = 0b11UL << 6 | 0b111UL << 2;

    /// <summary>
    /// The realm's shared memory for its devices: host pages mapped into the unprotected half, one
    /// 2 MiB block per RMI_RTT_MAP_UNPROTECTED (creating the RTTs the walk needs), so that the host
    /// reaches what the realm shares — rings and bounce buffers — and the realm's accesses to it
    /// need no exit.
    /// </summary>
    private static IEnumerable<HostOp> MapShared(RealmRmi rmi, KvmGuest g, ulong rd, HostPhase phase)
    {
        var s = g.Shape;
        for (ulong off = 0; off < s.SharedBytes; off += RealmShape.SharedBlock)
        {
            ulong ipa = s.SharedIpa + off, pa = g.Memory.SharedBase + off;
            foreach (var op in rmi.WithTables(ipa, () => rmi.Call(RmiFid.RttMapUnprotected, rd, ipa, 2, pa | SharedDescriptorAttributes, phase: phase),
                $"RTT_MAP_UNPROTECTED of shared block 0x{ipa:X}", phase))
                yield return op;
            g.Book.AddUnprotected(ipa, 2);
        }
    }

    /// <summary>The guest image's bytes: a fixed pattern per page, so the RIM is reproducible.</summary>
    public static byte[] ImagePage(int page)
    {
        var bytes = new byte[RealmShape.PageSize];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(page * 31 + i * 7);
        return bytes;
    }

    /// <summary>RmiRealmParams: one breakpoint and one watchpoint (the least a realm may ask for), a fixed personalisation value, RTTs from level 0.</summary>
    private static byte[] RealmParams(RealmShape s, ulong startRtt) =>
        new Tmm.Abi.RealmParams(0, s.IpaBits, 0, 1, 1, 0, s.HashAlgorithm, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray(),
            s.Vmid, startRtt, 0, 1).ToGranule();

    /// <summary>RmiRecParams: runnable or not, the vCPU's MPIDR, entry at the image's start.</summary>
    private static byte[] RecParams(int vcpu, bool runnable, ulong[] aux) =>
        new Tmm.Abi.RecParams(runnable ? Tmm.Abi.RecParams.FlagRunnable : 0, Mpidr.Of(vcpu), 0, [], (ulong)aux.Length, aux).ToGranule();
}
