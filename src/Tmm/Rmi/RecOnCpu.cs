using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

/// <summary>
/// How a trap ended: the Realm goes on with <paramref name="Registers"/> (X0.. as the TMM left them) after
/// <paramref name="Outcome"/> (the guest step's result, e.g. "load", "sea", "rsi"), or REC_ENTER returned
/// to the host (<paramref name="Exited"/>) with <paramref name="Status"/> — on success the exit record is
/// in the run page.
/// </summary>
public sealed record RealmTrapResult(bool Exited, ulong[] Registers, SmcResult Status = default, string Outcome = "");

/// <summary>The state of the CPU's virtual interface and virtual timer when a Realm traps: what the TMM saves into the REC.</summary>
public readonly record struct RealmCpuState(ulong[] ListRegisters, ulong CntvCtl, ulong CntvCval);

public sealed partial class Rmm
{
    private const int RecentOutcomes = 64;

    /// <summary>
    /// RMI_REC_ENTER for a Realm vCPU that the simulator runs on a PE: the same checks and entry
    /// processing as <see cref="RecEnter"/>, after which the REC stays entered — the Realm runs on the
    /// CPU — until <see cref="RealmTrap"/> ends the call with an exit. Success means "the Realm runs".
    /// </summary>
    public SmcResult EnterOnCpu(ulong rec, ulong runPtr) => EnterOnCpu(rec, runPtr, out _);

    /// <param name="completed">What the entry finished of the last exit (EMUL_MMIO: "mmio-read"/"mmio-write", INJECT_SEA: "sea"), or "": the CPU's PC moves past that access.</param>
    public SmcResult EnterOnCpu(ulong rec, ulong runPtr, out string completed)
    {
        LastError = "";
        completed = "";
        int logged = _recs.TryGetValue(rec, out var before) ? before.Program.Log.Count : 0;
        var (status, r, trapWfi) = Enter(rec, runPtr);
        if (r == null) return status;
        if (r.Program.Log.Count > logged && r.Program.Log[^1].Kind is "mmio-read" or "mmio-write" or "sea") completed = r.Program.Log[^1].Kind;
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
    public RealmTrapResult RealmTrap(ulong rec, GuestStep step) => RealmTrap(rec, step, null);

    /// <param name="cpu">The CPU's virtual interface and timer at the trap, which the TMM saves into the REC (and reports in an exit record).</param>
    public RealmTrapResult RealmTrap(ulong rec, GuestStep step, RealmCpuState? cpu)
    {
        LastError = "";
        var r = _recs.GetValueOrDefault(rec) ?? throw new ArgumentException($"no REC at {Hex(rec)}", nameof(rec));
        if (r.RunningWith is not { } runPtr) throw new InvalidOperationException($"REC {Hex(rec)} traps to the TMM but is not running on a CPU");
        if (cpu is { } state)
        {
            state.ListRegisters.AsSpan(0, Math.Min(state.ListRegisters.Length, r.GicLrs.Length)).CopyTo(r.GicLrs);
            (r.CntvCtl, r.CntvCval) = (state.CntvCtl, state.CntvCval);
        }
        int logged = r.Program.Log.Count;
        r.Program.Add(step);
        var exit = StepRealm(r, r.TrapWfi);
        var log = r.Program.Log;
        var registers = exit == null && log.Count > logged ? log[^1].Registers : [];
        string outcome = exit == null && log.Count > logged ? log[^1].Kind : "";
        // A realm on a CPU may trap millions of times: keep only its recent outcomes, for inspection.
        if (log.Count > 2 * RecentOutcomes) log.RemoveRange(0, log.Count - RecentOutcomes);
        if (exit == null) return new RealmTrapResult(false, registers, Outcome: outcome);
        var status = WriteExit(r, runPtr, exit);
        r.RunningWith = null;
        return new RealmTrapResult(true, [], status);
    }
}
