using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Measurement;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Rtts;
using VirtCca.Tmm.Tmi;

namespace VirtCca.Tmm;

/// <summary>
/// virtCCA's TMI (ABI 2) over the same core as RMI. What differs is who allocates: KVM never delegates a
/// granule; CVM_CREATE, TEC_CREATE, TTT_CREATE, DATA_CREATE and TTT_MAP_RANGE take pool granules
/// themselves (named in <see cref="RmmConfig.TmmObjects"/>, see <see cref="TmiObjects"/>) and hand back
/// handles; CVM_DESTROY takes everything back. Each call then runs the core's RMI command on what it
/// allocated, so checks, measurement, RTTs, RECs and invariants are the core's. Results: the status in
/// X0 and, because the openEuler kernel reads every TMI result from X1 (res.a1), again in X1 — except
/// VERSION_REQ, FEATURES, CVM_CREATE and TEC_CREATE, whose X1 is the version, the register or the
/// handle (0 when the call failed). Status codes are TMI's (<see cref="TmiStatus"/>).
/// </summary>
public sealed partial class Rmm
{
    private TmiObjects? _tmiNames;
    private TmiObjects Names => _tmiNames ??= new TmiObjects(Config.TmmObjects, Config.TmmObjectGranules);

    /// <summary>Units of work of the last call that scale its cost: the level-3 tables (2 MiB each) TTT_MAP_RANGE filled.</summary>
    public long LastCallBlocks { get; private set; }

    /// <summary>TMI's FEATURES register 0 (kvm_tmi.h): S2SZ [7:0], NUM_BPS [17:14], NUM_WPS [21:18], SHA-256 [28], SHA-512 [29]; no LPA2, SVE or PMU.</summary>
    public ulong TmiFeatureRegister0 =>
        (uint)Config.MaxS2sz | (ulong)(uint)Config.NumBps << 14 | (ulong)(uint)Config.NumWps << 18
        | (Config.Sha256 ? 1UL << 28 : 0) | (Config.Sha512 ? 1UL << 29 : 0);

    private SmcResult TmiSmc(ulong fid, ulong x1, ulong x2, ulong x3, ulong x4, ulong x5)
    {
        if (Config.Abi != HostAbi.Tmi) return Unknown($"FID 0x{fid:X} is a TMI call; this TMM answers RMI");
        return fid switch
        {
            TmiFid.VersionReq => new SmcResult(0, TmiFid.Version20),
            TmiFid.Features => new SmcResult(0, x1 == 0 ? TmiFeatureRegister0 : 0),
            TmiFid.CvmCreate => Handle(CvmCreate(x1 & ~TmiFid.VtimerAdjust, x2)),
            TmiFid.TecCreate => Handle(TecCreate(x1, x2, x3, x4)),
            TmiFid.DataCreate => TmiDataCreate(x1, x2, x3, x4, x5),
            TmiFid.DataDestroy => TmiDataDestroy(x1, x2, x3),
            TmiFid.TttCreate => TttCreate(x1, x2, x3, x4),
            TmiFid.TttMapRange => TttMapRange(x1, x2, x3, x4, x5),
            TmiFid.CvmActivate => Tmi(RealmActivate(x1)),
            TmiFid.CvmDestroy => CvmDestroy(x1),
            TmiFid.TecDestroy => TecDestroy(x1),
            TmiFid.TecEnter => TmiEnter(RecEnter(x1, x2)),
            TmiFid.PsciComplete => Tmi(PsciComplete(x1, x2, Psci.Success)),
            TmiFid.MemInfoShow or TmiFid.TttUnmapRange or TmiFid.InfTest or (>= TmiFid.DeviceFirst and <= TmiFid.DeviceLast) =>
                TmiFail(TmiStatus.ErrorNotSupported, $"TMI call 0x{fid:X} is not modelled (pool statistics, unmapping, device assignment)"),
            _ => Unknown($"FID 0x{fid:X} is not a TMI call of ABI 2"),
        };
    }

    /// <summary>TMI_TEC_ENTER for a cVM vCPU the simulator runs on a PE: <see cref="EnterOnCpu(ulong, ulong, out string)"/> with TMI's status codes.</summary>
    public SmcResult TecEnterOnCpu(ulong tec, ulong run, out string completed) => TmiEnter(EnterOnCpu(tec, run, out completed));

    /// <summary>A create call's result: the handle in X1, 0 when it failed (all the kernel checks).</summary>
    private static SmcResult Handle(SmcResult r) => r.X0 == 0 ? r : r with { X1 = 0 };

    /// <summary>A TMI failure: status (and index) in X0 and X1.</summary>
    private SmcResult TmiFail(TmiStatus status, string why, int index = 0)
    {
        LastError = why;
        ulong word = (ulong)status | (ulong)(byte)index << 8;
        return new SmcResult(word, word);
    }

    /// <summary>A core (RMI) result as TMI reports it. <paramref name="level"/>: the level the call asked for, to tell a walk that stopped from an entry in the wrong state.</summary>
    private SmcResult Tmi(SmcResult core, int level = 3)
    {
        if (core.X0 == 0) return new SmcResult(0, 0, core.X1, core.X2, core.X3);
        var status = core.Status switch
        {
            RmiStatus.ErrorInput => TmiStatus.ErrorInput,
            RmiStatus.ErrorRealm => TmiStatus.ErrorCvmState,
            RmiStatus.ErrorRec => TmiStatus.ErrorTec,
            RmiStatus.ErrorRtt when core.Index < level => TmiStatus.ErrorTttWalk,
            RmiStatus.ErrorRtt => TmiStatus.ErrorTttEntry,
            _ => TmiStatus.ErrorInternal,
        };
        return TmiFail(status, LastError, core.Status == RmiStatus.ErrorRtt ? core.Index : 0);
    }

    /// <summary>TEC_ENTER's refusals: a powered-off cVM is CVM_POWEROFF (KVM shuts the vCPU down), one not yet active CVM_STATE.</summary>
    private SmcResult TmiEnter(SmcResult core) =>
        core.Status == RmiStatus.ErrorRealm && core.Index == 1 ? TmiFail(TmiStatus.ErrorCvmPoweroff, LastError) : Tmi(core);

    /// <summary>numa_set: a bitmap of host NUMA nodes (0 = NO_NUMA). The model's pool is one node, 0.</summary>
    private string? NumaProblem(ulong numaSet) =>
        (numaSet & ~1UL) == 0 ? null : $"numa_set 0x{numaSet:X} names a NUMA node other than 0; the secure pool has one node";

    /// <summary>Takes <paramref name="n"/> consecutive names and delegates each (a pool granule behind it); false with MEMORY when the pool or the names run out.</summary>
    private bool TakeObjects(int n, List<ulong> taken, out SmcResult failure)
    {
        failure = default;
        for (int i = 0; i < n; i++)
        {
            bool named = Names.TryTake(out var name);
            if (named && GranuleDelegate(name).X0 == 0) { taken.Add(name); continue; }
            string why = named ? LastError : $"the TMM's {Config.TmmObjectGranules} object names are in use";
            if (named) Names.Give(name);
            foreach (var t in taken) ReleaseObject(t);
            taken.Clear();
            failure = TmiFail(TmiStatus.ErrorMemory, why);
            return false;
        }
        return true;
    }

    /// <summary>A granule the TMM took goes back to the pool and its name to the free names.</summary>
    private void ReleaseObject(ulong name)
    {
        if (GranuleUndelegate(name).X0 != 0) throw new InvalidOperationException($"TMI object 0x{name:X} could not be released: {LastError}");
        Names.Give(name);
    }

    /// <summary>Runs a core command on a parameter page the TMM lays out itself in its scratch page.</summary>
    private SmcResult WithScratch(byte[] page, Func<ulong, SmcResult> command)
    {
        _dram.Write(Names.Scratch, page);
        var r = command(Names.Scratch);
        _dram.Zero(Names.Scratch, Granule.Size);
        return r;
    }

    /// <summary>TMI_CVM_CREATE(params_ptr, numa_set) → X1 rd: the TMM takes the RD and the starting TTTs from its pool.</summary>
    private SmcResult CvmCreate(ulong paramsPtr, ulong numaSet)
    {
        if (NumaProblem(numaSet) is { } numa) return TmiFail(TmiStatus.ErrorInput, numa);
        if (HostPageArg("params", paramsPtr) is { } notHost) return TmiFail(TmiStatus.ErrorInput, notHost);
        var page = new byte[Granule.Size];
        _dram.Read(paramsPtr, page);
        var t = TmiCvmParams.Parse(page);
        if (t.TttNumStart is 0 or > 16) return TmiFail(TmiStatus.ErrorInput, $"ttt_num_start {t.TttNumStart} is not 1..16");
        if (t.S2sz > 255 || t.SveVl > 255 || t.NumBps > 255 || t.NumWps > 255 || t.PmuNumCnts > 255 || t.MeasurementAlgo > 255 || t.Vmid > ushort.MaxValue)
            return TmiFail(TmiStatus.ErrorInput, "a tmi_cvm_params field is out of range");
        var names = new List<ulong>();
        if (!TakeObjects(1 + (int)t.TttNumStart, names, out var failed)) return failed;
        // The starting tables are one block: consecutive names (the core walks them as one table).
        if (names.Skip(1).Select((n, i) => n - (ulong)i * Granule.Size).Distinct().Count() > 1)
        {
            foreach (var n in names) ReleaseObject(n);
            return TmiFail(TmiStatus.ErrorMemory, $"no {t.TttNumStart} consecutive granules for the starting tables");
        }
        var p = new RealmParams(t.Flags, (byte)t.S2sz, (byte)t.SveVl, (byte)t.NumBps, (byte)t.NumWps, (byte)t.PmuNumCnts, (byte)t.MeasurementAlgo,
            t.Rpv, (ushort)t.Vmid, names[1], t.TttLevelStart, (uint)t.TttNumStart);
        var r = WithScratch(p.ToGranule(), scratch => RealmCreate(names[0], scratch));
        if (r.X0 != 0)
        {
            foreach (var n in names) ReleaseObject(n);
            return Tmi(r);
        }
        return new SmcResult(0, names[0]);
    }

    /// <summary>TMI_TEC_CREATE(numa_set, rd, mpidr, params_ptr) → X1 tec: the TEC (and its auxiliary granules) from the pool.</summary>
    private SmcResult TecCreate(ulong numaSet, ulong rd, ulong mpidr, ulong paramsPtr)
    {
        if (NumaProblem(numaSet) is { } numa) return TmiFail(TmiStatus.ErrorInput, numa);
        if (HostPageArg("params", paramsPtr) is { } notHost) return TmiFail(TmiStatus.ErrorInput, notHost);
        if (RealmAt(rd) == null) return TmiFail(TmiStatus.ErrorInput, $"rd {Hex(rd)} is not a cVM");
        var page = new byte[Granule.Size];
        _dram.Read(paramsPtr, page);
        var t = TmiTecParams.Parse(page);
        if ((t.Flags & ~TmiTecParams.Runnable) != 0) return TmiFail(TmiStatus.ErrorInput, $"flags 0x{t.Flags:X} sets bits other than RUNNABLE");
        var names = new List<ulong>();
        if (!TakeObjects(1 + Config.RecAuxCount, names, out var failed)) return failed;
        var rec = new RecParams(t.Flags, mpidr, t.Pc, t.Gprs, (ulong)Config.RecAuxCount, names.Skip(1).ToArray());
        var r = WithScratch(rec.ToGranule(), scratch => RecCreate(rd, names[0], scratch));
        if (r.X0 != 0)
        {
            foreach (var n in names) ReleaseObject(n);
            return Tmi(r);
        }
        _recs[names[0]].RunAbi = HostAbi.Tmi;
        return new SmcResult(0, names[0]);
    }

    /// <summary>TMI_TEC_DESTROY(tec): the core's REC_DESTROY, then the TEC's granules go back to the pool.</summary>
    private SmcResult TecDestroy(ulong tec)
    {
        var aux = RecGranule(tec)?.Aux.ToArray() ?? [];
        var r = RecDestroy(tec);
        if (r.X0 != 0) return Tmi(r);
        ReleaseObject(tec);
        foreach (var a in aux) ReleaseObject(a);
        return Tmi(r);
    }

    /// <summary>
    /// TMI_DATA_CREATE(numa_set, rd, ipa, src, level): a page from the pool at a level-3 IPA of a NEW cVM,
    /// a copy of the host's src page (measured), or zero when src is 0 (measured as not-measured content,
    /// as virtCCA's RIM reference tool counts every populated page).
    /// </summary>
    private SmcResult TmiDataCreate(ulong numaSet, ulong rd, ulong ipa, ulong src, ulong level)
    {
        if (NumaProblem(numaSet) is { } numa) return TmiFail(TmiStatus.ErrorInput, numa);
        if (level != 3) return TmiFail(TmiStatus.ErrorInput, $"level {level}: DATA_CREATE maps 4 KiB pages (level 3) here");
        var names = new List<ulong>();
        if (!TakeObjects(1, names, out var failed)) return failed;
        var r = src != 0
            ? DataCreate(rd, names[0], ipa, src, MeasurementDescriptors.MeasureContent)
            : WithScratch(new byte[Granule.Size], zero => DataCreate(rd, names[0], ipa, zero, 0));
        if (r.X0 != 0) ReleaseObject(names[0]);
        return Tmi(r);
    }

    /// <summary>TMI_DATA_DESTROY(rd, ipa, level): the core's DATA_DESTROY, the page back to the pool.</summary>
    private SmcResult TmiDataDestroy(ulong rd, ulong ipa, ulong level)
    {
        if (level != 3) return TmiFail(TmiStatus.ErrorInput, $"level {level}: pages are level 3 here");
        var r = DataDestroy(rd, ipa);
        if (r.X0 == 0) ReleaseObject(r.X1);
        return Tmi(r);
    }

    /// <summary>TMI_TTT_CREATE(numa_set, rd, ipa, level): a table from the pool; TTT_CREATED when one is there already.</summary>
    private SmcResult TttCreate(ulong numaSet, ulong rd, ulong ipa, ulong level)
    {
        if (NumaProblem(numaSet) is { } numa) return TmiFail(TmiStatus.ErrorInput, numa);
        var names = new List<ulong>();
        if (!TakeObjects(1, names, out var failed)) return failed;
        var r = RttCreate(rd, names[0], ipa, (long)level);
        if (r.X0 == 0) return Tmi(r);
        ReleaseObject(names[0]);
        return r.Status == RmiStatus.ErrorRtt && r.Index == (int)level - 1 ? TmiFail(TmiStatus.ErrorTttCreated, LastError, r.Index) : Tmi(r, (int)level - 1);
    }

    /// <summary>
    /// TMI_TTT_MAP_RANGE(rd, ipa, size, cur_node, target_node): every 4 KiB page of [ipa, ipa + size) of a
    /// NEW cVM backed by a zeroed pool page, creating the tables it needs; not measured. Pages already
    /// populated (DATA_CREATE) are left as they are. If the pool runs out, the pages mapped so far stay and
    /// the call answers MEMORY.
    /// </summary>
    private SmcResult TttMapRange(ulong rd, ulong ipa, ulong size, ulong curNode, ulong targetNode)
    {
        if (curNode != 0 || targetNode != 0) return TmiFail(TmiStatus.ErrorInput, $"nodes {curNode}, {targetNode}: the secure pool has one NUMA node, 0");
        var realm = RealmAt(rd);
        if (realm == null) return TmiFail(TmiStatus.ErrorInput, $"rd {Hex(rd)} is not a cVM");
        if (ipa % Granule.Size != 0 || size % Granule.Size != 0 || size == 0) return TmiFail(TmiStatus.ErrorInput, "ipa and size must be 4 KiB aligned and size not zero");
        if (!realm.IsProtected(ipa) || ipa + size < ipa || !realm.IsProtected(ipa + size - 1)) return TmiFail(TmiStatus.ErrorInput, $"[{Hex(ipa)}, {Hex(ipa + size)}) is not private IPA space");
        if (realm.State != RealmState.New) return TmiFail(TmiStatus.ErrorCvmState, $"the cVM is {realm.State}, not NEW");
        ulong lastTable = ulong.MaxValue;
        for (ulong a = ipa; a < ipa + size; a += Granule.Size)
        {
            var (t, reached) = realm.Walk(a, 3);
            while (reached < 3)
            {
                var table = new List<ulong>();
                if (!TakeObjects(1, table, out var none)) return none;
                var created = RttCreate(rd, table[0], a & ~(RttGeometry.EntrySize(reached) - 1), reached + 1);
                if (created.X0 != 0) { ReleaseObject(table[0]); return Tmi(created); }
                (t, reached) = realm.Walk(a, 3);
            }
            if (t.Pa != lastTable) { lastTable = t.Pa; LastCallBlocks++; }
            var e = t.Entries[t.IndexOf(a)];
            if (e.Hipas == Hipas.Assigned) continue;
            if (e.Hipas != Hipas.Unassigned) return TmiFail(TmiStatus.ErrorTttEntry, $"the entry for {Hex(a)} is {e.Hipas}", 3);
            var page = new List<ulong>();
            if (!TakeObjects(1, page, out var full)) return full;
            var mapped = DataCreateUnknown(rd, page[0], a);
            if (mapped.X0 != 0) { ReleaseObject(page[0]); return Tmi(mapped); }
            t.Entries[t.IndexOf(a)].Ripas = Ripas.Ram; // TMI has no RIPAS: what it maps the cVM may use
        }
        return new SmcResult(0, 0);
    }

    /// <summary>TMI_CVM_DESTROY(rd): with no TEC left, the TMM takes back every page, table and the RD itself.</summary>
    private SmcResult CvmDestroy(ulong rd)
    {
        var realm = RealmAt(rd);
        if (realm == null) return TmiFail(TmiStatus.ErrorInput, $"rd {Hex(rd)} is not a cVM");
        if (realm.LiveRecs > 0) return TmiFail(TmiStatus.ErrorInUse, $"the cVM still has {realm.LiveRecs} TEC(s)");
        foreach (var (ipa, _, _) in DataPages(rd).ToList())
        {
            var d = DataDestroy(rd, ipa);
            if (d.X0 != 0) return Tmi(d);
            ReleaseObject(d.X1);
        }
        foreach (var (level, ipa) in Tables(realm.Root).OrderByDescending(t => t.Level).ThenByDescending(t => t.Ipa).ToList())
        {
            var d = RttDestroy(rd, ipa, level);
            if (d.X0 != 0) return Tmi(d);
            ReleaseObject(d.X1);
        }
        var roots = realm.RootGranules.ToArray();
        var r = RealmDestroy(rd);
        if (r.X0 != 0) return Tmi(r);
        ReleaseObject(rd);
        foreach (var g in roots) ReleaseObject(g);
        return Tmi(r);
    }

    /// <summary>Every table below <paramref name="t"/>: its level and the IPA its parent entry covers.</summary>
    private static IEnumerable<(int Level, ulong Ipa)> Tables(Rtt t)
    {
        foreach (var e in t.Entries)
            if (e.Hipas == Hipas.Table)
            {
                yield return (e.Child!.Level, e.Child.Base);
                foreach (var child in Tables(e.Child)) yield return child;
            }
    }
}
