using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// KVM's creation and destruction of a cVM through virtCCA's TMI, in the openEuler kernel's order
/// (arch/arm64/kvm/virtcca_cvm.c): the version check (major 2) and FEATURES(0) that kvm_init_tmm makes;
/// CVM_CREATE with the params page and a NUMA set (the TMM allocates the RD and the starting tables);
/// TEC_CREATE per vCPU as each vCPU is finalised (vCPU 0 runnable); POPULATE: DATA_CREATE of every 4 KiB
/// page of the image's 2 MiB-aligned window (the image pages from their source, the rest zero), creating
/// the missing tables with TTT_CREATE where a call stops with TTT_WALK and trying again; ACTIVATE:
/// TTT_MAP_RANGE for the rest of RAM, then CVM_ACTIVATE. No granule is delegated: the TMM takes
/// everything from its pool. Destruction: TEC_DESTROY per vCPU, CVM_DESTROY.
/// </summary>
public static class TmiLifecycle
{
    private const ulong TwoMiB = 2UL << 20;

    public static IEnumerable<HostOp> Create(IHostCpu cpu, KvmGuest g)
    {
        const HostPhase P = HostPhase.Creation;
        var s = g.Shape;
        var tmi = new RealmRmi(cpu, g, "cVM creation");
        var memory = cpu.Memory;
        g.Memory.ResetMetadata();
        g.Book.Clear();

        yield return tmi.Call(TmiFid.VersionReq, phase: P);
        if (tmi.Last.X1 >> 16 != 2)
            throw new SimulationException($"KVM needs TMI ABI major 2 for {g.Name}; the TMM reports {tmi.Last.X1 >> 16}.{tmi.Last.X1 & 0xFFFF}");
        yield return tmi.Call(TmiFid.Features, 0, phase: P);
        ulong features = tmi.Last.X1;
        if ((features >> (s.HashAlgorithm == 0 ? 28 : 29) & 1) == 0 || (features & 0xFF) < s.IpaBits)
            throw new SimulationException($"the TMM's TMI features 0x{features:X} do not offer {g.Name}'s {s.IpaBits}-bit IPA space and hash");

        ulong paramsPage = g.Memory.AllocateMetadata();
        memory.Write(paramsPage, new TmiCvmParams(0, s.IpaBits, 0, 1, 1, 0, s.HashAlgorithm, s.Vmid, 0, 0, 0, 1,
            Enumerable.Range(0, 64).Select(i => (byte)i).ToArray()).ToGranule());
        yield return tmi.Call(TmiFid.CvmCreate, paramsPage, 0, phase: P);
        tmi.Expect("CVM_CREATE");
        ulong rd = tmi.Last.X1;
        var recs = new ulong[s.Vcpus];
        var runs = new ulong[s.Vcpus];
        g.Realm = new RealmLayout(rd, recs, runs);

        for (int v = 0; v < s.Vcpus; v++)
        {
            ulong tecParams = g.Memory.AllocateMetadata();
            memory.Write(tecParams, new TmiTecParams(new ulong[8], 0, v == 0 || s.SecondariesRunnable ? TmiTecParams.Runnable : 0, s.Ram).ToGranule());
            yield return tmi.Call(TmiFid.TecCreate, 0, rd, Mpidr.Of(v), tecParams, phase: P);
            tmi.Expect($"TEC_CREATE vCPU {v}");
            recs[v] = tmi.Last.X1;
            runs[v] = g.Memory.AllocateMetadata();
        }

        ulong window = Math.Min((s.HostCallIpa(s.Vcpus) + TwoMiB - 1) & ~(TwoMiB - 1), s.Ram);
        for (ulong ipa = 0; ipa < window; ipa += RealmShape.PageSize)
        {
            int page = (int)(ipa / RealmShape.PageSize);
            ulong src = 0;
            if (page < s.ImagePages)
            {
                src = g.Memory.AllocateMetadata();
                memory.Write(src, RealmLifecycle.ImagePage(page));
            }
            foreach (var op in WithTables(tmi, rd, ipa, () => tmi.Call(TmiFid.DataCreate, 0, rd, ipa, src, 3, P), $"DATA_CREATE page {page}", P))
                yield return op;
            g.Book.AddPopulated(ipa, onDemand: false);
        }
        if (s.Ram > window)
        {
            yield return tmi.Call(TmiFid.TttMapRange, rd, window, s.Ram - window, 0, 0, P);
            tmi.Expect($"TTT_MAP_RANGE [0x{window:X}, 0x{s.Ram:X})");
        }
        yield return tmi.Call(TmiFid.CvmActivate, rd, phase: P);
        tmi.Expect("CVM_ACTIVATE");
        g.CreationCalls = tmi.Calls;
    }

    /// <summary>A call that needs level-3 tables: on TTT_WALK at level L, TTT_CREATE of levels L+1..3, then once more (kvm_cvm_create_protected_data_page).</summary>
    private static IEnumerable<HostOp> WithTables(RealmRmi tmi, ulong rd, ulong ipa, Func<HostOp> call, string name, HostPhase phase)
    {
        yield return call();
        if ((TmiStatus)(tmi.Last.X0 & 0xFF) == TmiStatus.ErrorTttWalk)
        {
            for (int level = tmi.Last.Index + 1; level <= 3; level++)
            {
                ulong covered = ipa & ~(Granule.MappedAt(level - 1) - 1);
                yield return tmi.Call(TmiFid.TttCreate, 0, rd, covered, (ulong)level, phase: phase);
                tmi.Expect($"TTT_CREATE level {level} at IPA 0x{covered:X}");
            }
            yield return call();
        }
        tmi.Expect(name);
    }

    public static IEnumerable<HostOp> Destroy(IHostCpu cpu, KvmGuest g)
    {
        const HostPhase P = HostPhase.Teardown;
        var tmi = new RealmRmi(cpu, g, "cVM destruction");
        var realm = g.Realm ?? throw new InvalidOperationException($"{g.Name} has no cVM to destroy");
        for (int v = 0; v < realm.Recs.Count; v++)
        {
            yield return tmi.Call(TmiFid.TecDestroy, realm.Recs[v], phase: P);
            tmi.Expect($"TEC_DESTROY vCPU {v}");
        }
        yield return tmi.Call(TmiFid.CvmDestroy, realm.Rd, phase: P);
        tmi.Expect("CVM_DESTROY");
        g.DestructionCalls = tmi.Calls;
        g.Book.Clear();
        g.Realm = null;
    }
}
