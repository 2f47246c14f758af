using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

/// <summary>
/// How a trap ended: the Realm goes on with <paramref name="Registers"/> (X0.. as the TMM left them), or
/// REC_ENTER returned to the host (<paramref name="Exited"/>) with <paramref name="Status"/> — on
/// success the exit record is in the run page.
/// </summary>
public sealed record RealmTrapResult(bool Exited, ulong[] Registers, SmcResult Status = default);

public sealed partial class Rmm
{
    private const int RecentOutcomes = 64;

    /// <summary>
    /// RMI_REC_ENTER for a Realm vCPU that the simulator runs on a PE: the same checks and entry
    /// processing as <see cref="RecEnter"/>, after which the REC stays entered — the Realm runs on the
    /// CPU — until <see cref="RealmTrap"/> ends the call with an exit. Success means "the Realm runs".
    /// </summary>
    public SmcResult EnterOnCpu(ulong rec, ulong runPtr)
    {
        LastError = "";
        var (status, r, trapWfi) = Enter(rec, runPtr);
        if (r == null) return status;
        // What the Realm does next is decided on its CPU: a step left over from the last exit (a
        // faulting access, an RSI call that met unbacked RAM) is executed again there, not replayed here.
        while (r.Program.HasNext) r.Program.Next();
        r.RunningWith = runPtr;
        r.TrapWfi = trapWfi;
        return SmcResult.Success;
    }

    /// <summary>
    /// The Realm running on a CPU trapped to the TMM with <paramref name="step"/> (an RSI/PSCI SMC, a
    /// data abort, WFI, a trapped MSR, a physical interrupt). The TMM handles it as it would inside
    /// REC_ENTER: either the Realm resumes, or REC_ENTER returns to the host with the exit record.
    /// </summary>
    public RealmTrapResult RealmTrap(ulong rec, GuestStep step)
    {
        LastError = "";
        var r = _recs.GetValueOrDefault(rec) ?? throw new ArgumentException($"no REC at {Hex(rec)}", nameof(rec));
        if (r.RunningWith is not { } runPtr) throw new InvalidOperationException($"REC {Hex(rec)} traps to the TMM but is not running on a CPU");
        int logged = r.Program.Log.Count;
        r.Program.Add(step);
        var exit = StepRealm(r, r.TrapWfi);
        var log = r.Program.Log;
        var registers = exit == null && log.Count > logged ? log[^1].Registers : [];
        // A realm on a CPU may trap millions of times: keep only its recent outcomes, for inspection.
        if (log.Count > 2 * RecentOutcomes) log.RemoveRange(0, log.Count - RecentOutcomes);
        if (exit == null) return new RealmTrapResult(false, registers);
        var status = WriteExit(r, runPtr, exit);
        r.RunningWith = null;
        return new RealmTrapResult(true, [], status);
    }
}
