namespace VirtCca.Tmm.Recs;

/// <summary>One thing a Realm vCPU does during REC_ENTER.</summary>
public abstract record GuestStep
{
    /// <summary>SMC from the Realm (RSI, PSCI or anything else): X0 = fid, X1.. = args.</summary>
    public sealed record Smc(ulong Fid, params ulong[] Args) : GuestStep;
    /// <summary>A load of <paramref name="Size"/> bytes (1, 2, 4, 8) into register Rt.</summary>
    public sealed record Load(ulong Ipa, int Size = 8, int Rt = 1) : GuestStep;
    /// <summary>A store of <paramref name="Value"/> from register Rt.</summary>
    public sealed record Store(ulong Ipa, ulong Value, int Size = 8, int Rt = 1) : GuestStep;
    /// <summary>An instruction fetch from <paramref name="Ipa"/> (the Realm branches there).</summary>
    public sealed record Fetch(ulong Ipa) : GuestStep;
    /// <summary>An HVC: not allowed in a Realm (an Undefined exception inside it, no exit).</summary>
    public sealed record Hvc : GuestStep;
    /// <summary>A physical interrupt arrives for this CPU (exit IRQ).</summary>
    public sealed record Interrupt : GuestStep;
    /// <summary>A physical FIQ arrives (exit FIQ).</summary>
    public sealed record Fiq : GuestStep;
    /// <summary>An SError with this syndrome (exit SERROR; the host sees only EC, IDS, AET, EA, DFSC).</summary>
    public sealed record SError(ulong Esr) : GuestStep;
    /// <summary>An MSR the host must emulate (e.g. ICC_SGI1R_EL1 to send an SGI): exits SYNC with the value in gprs[0].</summary>
    public sealed record SysRegWrite(ulong Iss, ulong Value) : GuestStep;
    /// <summary>WFI: exits SYNC when the host asked to trap it (TRAP_WFI), else the vCPU waits and goes on.</summary>
    public sealed record Wfi : GuestStep;
}

/// <summary>What a step produced, as the guest saw it.</summary>
public sealed record GuestOutcome(GuestStep Step, string Kind, ulong[] Registers)
{
    public ulong X0 => Registers.Length > 0 ? Registers[0] : 0;
}

/// <summary>
/// A scripted Realm vCPU: its steps run in order on each REC_ENTER until one makes the REC exit; a
/// step that exits finishes (or is retried) on the next entry, as on hardware. Every outcome is
/// logged so a test can check what the Realm saw. A program with no steps left idles: exit IRQ.
/// </summary>
public sealed class GuestProgram(params GuestStep[] steps)
{
    private readonly Queue<GuestStep> _steps = new(steps);
    public List<GuestOutcome> Log { get; } = new();

    public bool HasNext => _steps.Count > 0;
    public GuestStep Peek() => _steps.Peek();
    public GuestStep Next() => _steps.Dequeue();
    public void Add(params GuestStep[] more) { foreach (var s in more) _steps.Enqueue(s); }

    /// <summary>
    /// The access an exit stopped at completes (EMUL_MMIO, INJECT_SEA): it leaves the program, if it is
    /// still next — a program replaced between the exit and the entry no longer holds it.
    /// </summary>
    public void Retire(GuestStep step)
    {
        if (HasNext && ReferenceEquals(Peek(), step)) Next();
    }

    internal void Record(GuestStep step, string kind, params ulong[] registers) => Log.Add(new GuestOutcome(step, kind, registers));
}
