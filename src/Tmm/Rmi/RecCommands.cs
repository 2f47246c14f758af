using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    private readonly Dictionary<ulong, Rec> _recs = new();

    /// <summary>Registers what the Realm vCPU of REC <paramref name="rec"/> does when entered.</summary>
    public void SetGuestProgram(ulong rec, GuestProgram program) =>
        (_recs.TryGetValue(rec, out var r) ? r : throw new ArgumentException($"no REC at {Hex(rec)}", nameof(rec))).Program = program;

    /// <summary>The REC at a granule, for inspection.</summary>
    public Rec? RecAt(ulong pa) => _recs.GetValueOrDefault(pa);

    private Rec? RecGranule(ulong rec) => _granules.Is(rec, GranuleState.Rec) ? _recs[rec] : null;

    /// <summary>RMI_REC_CREATE(rd, rec, params_ptr): TF-RMM's check order (§4).</summary>
    private SmcResult RecCreate(ulong rd, ulong rec, ulong paramsPtr)
    {
        if (!_granules.Is(paramsPtr, GranuleState.Undelegated))
            return Input($"params {Hex(paramsPtr)} is not an aligned normal-world granule");
        var page = new byte[GranuleTable.GranuleSize];
        _dram.Read(paramsPtr, page);
        var p = RecParams.Parse(page);
        if (p.NumAux > 16) return Input($"num_aux {p.NumAux} is above 16");
        for (int i = 0; i < (int)p.NumAux; i++)
            if (p.Aux[i] == rec || !_granules.Is(p.Aux[i], GranuleState.Delegated) || Array.IndexOf(p.Aux, p.Aux[i], 0, i) >= 0)
                return Input($"aux[{i}] {Hex(p.Aux[i])} is not a distinct DELEGATED granule");
        if (!_granules.Is(rec, GranuleState.Delegated)) return Input($"rec {Hex(rec)} is not a DELEGATED granule");
        var realm = RealmAt(rd);
        if (realm == null) return Input($"rd {Hex(rd)} is not an RD granule");
        // Indices are never reused, so the limit is on indices handed out, not on RECs alive now.
        if (realm.NextRecIndex >= 1 << Config.MaxRecsOrder) return Fail(RmiStatus.ErrorRealm, $"the Realm has used all {1 << Config.MaxRecsOrder} REC indices");
        if (realm.State != RealmState.New) return Fail(RmiStatus.ErrorRealm, $"the Realm is {realm.State}, not NEW");
        if (Mpidr.IndexOf(p.Mpidr) != realm.NextRecIndex) return Input($"mpidr {Hex(p.Mpidr)} does not name the next REC index {realm.NextRecIndex} (rec_count)");
        if (p.NumAux != (ulong)Config.RecAuxCount) return Input($"num_aux {p.NumAux} is not REC_AUX_COUNT = {Config.RecAuxCount}");

        bool runnable = (p.Flags & RecParams.FlagRunnable) != 0;
        var gprs = new ulong[31];
        Array.Copy(p.Gprs, gprs, 8);
        var aux = p.Aux[..(int)p.NumAux];
        var r = new Rec(rec, realm, realm.AddRec(), runnable, p.Pc, gprs, aux);
        _recs[rec] = r;
        _granules.Set(rec, GranuleState.Rec);
        foreach (var a in aux) _granules.Set(a, GranuleState.RecAux);
        if (runnable) realm.Measurement.MeasureRec(p.Flags, p.Pc, p.Gprs);
        return SmcResult.Success;
    }

    /// <summary>RMI_REC_DESTROY(rec): the REC and its aux granules go back to DELEGATED, scrubbed.</summary>
    private SmcResult RecDestroy(ulong rec)
    {
        var r = RecGranule(rec);
        if (r == null) return Input($"rec {Hex(rec)} is not a REC granule");
        if (r.RunningWith != null) return Fail(RmiStatus.ErrorRec, "the REC is running on a CPU");
        foreach (var a in r.Aux) ReturnToDelegated(a);
        ReturnToDelegated(rec);
        _recs.Remove(rec);
        r.Realm.RemoveRec();
        return SmcResult.Success;
    }

    /// <summary>RMI_PSCI_COMPLETE(calling, target, status): finishes a CPU_ON / AFFINITY_INFO the calling REC asked for (§5.6).</summary>
    private SmcResult PsciComplete(ulong calling, ulong target, ulong status)
    {
        if (!_granules.IsAligned(calling) || !_granules.IsAligned(target)) return Input("calling and target must be 4 KiB aligned");
        if (calling == target) return Input("calling and target are the same REC");
        var c = RecGranule(calling);
        var t = RecGranule(target);
        if (c == null || t == null) return Input("calling and target must both be REC granules");
        if (c.PsciPending is not { } pending) return Input("the calling REC has no PSCI request pending");
        if (t.Realm != c.Realm) return Input("the target REC belongs to another Realm");
        if (t.Mpidr != pending.TargetMpidr) return Input($"the target REC's MPIDR {Hex(t.Mpidr)} is not the one requested ({Hex(pending.TargetMpidr)})");
        ulong result;
        if (pending.Fid == Psci.CpuOn)
        {
            if (status != Psci.Success && status != Psci.Denied) return Input($"status {status} is not SUCCESS or DENIED for CPU_ON");
            if (t.Runnable)
            {
                if (status == Psci.Denied) return Input("DENIED for a target that is already on");
                result = Psci.AlreadyOn;
            }
            else if (status == Psci.Denied) result = Psci.Denied;
            else
            {
                t.Runnable = true;
                t.Pc = pending.EntryPoint;
                Array.Clear(t.Gprs);
                t.Gprs[0] = pending.Context;
                result = Psci.Success;
            }
        }
        else
        {
            if (status != Psci.Success) return Input("AFFINITY_INFO only completes with SUCCESS");
            result = t.Runnable ? Psci.AffinityOn : Psci.AffinityOff;
        }
        c.Gprs[0] = result;
        c.Gprs[1] = c.Gprs[2] = c.Gprs[3] = 0;
        c.PsciPending = null;
        c.Program.Record(new GuestStep.Smc(pending.Fid), "psci-result", result);
        return SmcResult.Success;
    }
}
