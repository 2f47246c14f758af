using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    private static readonly HashSet<ulong> PsciFeatures =
        [Psci.CpuSuspend, Psci.CpuSuspend32, Psci.CpuOff, Psci.CpuOn, Psci.CpuOn32, Psci.AffinityInfo, Psci.AffinityInfo32,
         Psci.SystemOff, Psci.SystemReset, Psci.Features, Psci.SmcccVersion];

    /// <summary>PSCI and SMCCC calls from a Realm (§0.3, §5.6); anything else answers -1 without an exit.</summary>
    private RecExit? PsciCall(Rec r, GuestStep.Smc smc, ulong fid, ulong a0, ulong a1, ulong a2)
    {
        void Done(ulong x0) => r.Program.Record(smc, "smc", x0);
        // Every PSCI exit reports the function id and the call's three arguments (§5.2), whatever they mean to it.
        RecExit PsciExit()
        {
            var exit = new RecExit(RecExitReason.Psci);
            (exit.Gprs[0], exit.Gprs[1], exit.Gprs[2], exit.Gprs[3]) = (fid, a0, a1, a2);
            return exit;
        }
        switch (fid)
        {
            case Psci.SmcccVersion: Done(0x10002); return null;
            case Psci.Version: Done(Psci.Version11); return null;
            case Psci.Features: Done(PsciFeatures.Contains(a0) ? Psci.Success : Psci.NotSupported); return null;
            case Psci.CpuSuspend or Psci.CpuSuspend32:
                r.Program.Record(smc, "smc", Psci.Success);
                return PsciExit();
            case Psci.CpuOff:
                r.Runnable = false;
                r.Program.Record(smc, "psci-exit");
                return PsciExit();
            case Psci.CpuOn or Psci.CpuOn32:
                if (!r.Realm.IsProtected(a1)) { Done(Psci.InvalidAddress); return null; }
                if (TargetIndex(r, a0) is not { } target) { Done(Psci.InvalidParams); return null; }
                if (target == r.Index) { Done(Psci.AlreadyOn); return null; }
                r.PsciPending = (Psci.CpuOn, a0, a1, a2);
                r.Program.Record(smc, "psci-exit");
                return PsciExit();
            case Psci.AffinityInfo or Psci.AffinityInfo32:
                if (a1 != 0 || TargetIndex(r, a0) is not { } t) { Done(Psci.InvalidParams); return null; }
                if (t == r.Index) { Done(Psci.AffinityOn); return null; }
                r.PsciPending = (Psci.AffinityInfo, a0, 0, 0);
                r.Program.Record(smc, "psci-exit");
                return PsciExit();
            case Psci.SystemOff or Psci.SystemReset:
                r.Realm.State = RealmState.SystemOff;
                r.Program.Record(smc, "psci-exit");
                return PsciExit();
            default:
                Done(Psci.NotSupported); // SMC_UNKNOWN / PSCI NOT_SUPPORTED: both -1
                return null;
        }
    }

    /// <summary>
    /// The REC index a PSCI target MPIDR names, if it is one the Realm has handed out (below rec_count).
    /// A destroyed REC's index stays valid here, as its MPIDR was assigned: the request goes to the
    /// host, which can no longer complete it with that REC (RMI_PSCI_COMPLETE needs a live target).
    /// </summary>
    private static int? TargetIndex(Rec r, ulong mpidr)
    {
        long index = Mpidr.IndexOf(mpidr);
        return index >= 0 && index < r.Realm.NextRecIndex ? (int)index : null;
    }
}
