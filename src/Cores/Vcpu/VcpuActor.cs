using VirtCca.Cores.Timers;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;

namespace VirtCca.Cores.Vcpu;

/// <summary>
/// One vCPU: its guest's architectural state, its generic virtual timer and its workload program. It
/// runs only while resident on the PE its host scheduler placed it on, which drives it by direct calls
/// (<see cref="Peek"/>, <see cref="Progress"/>, <see cref="Complete"/>, <see cref="TakeListRegisters"/>)
/// within a window; anything addressed to it goes to that PE, so it never receives events itself.
/// </summary>
public sealed class VcpuActor : Component
{
    private readonly ProgramRunner _runner;
    private long _requestStart = -1;
    private long _computeLeft = -1;   // of the current Compute op, once started
    private long _handlerLeft;        // interrupt handlers to run before the program continues
    private long _waitedFor;
    private SortedDictionary<int, long>? _byIntid;
    private readonly LinkedList<Inserted> _inserted = new(); // guest work the program's current operation or an interrupt put in front of it
    private readonly List<int> _claimed = new();

    /// <summary>An operation put ahead of the program (a driver's work, its notify, its handler); a Compute keeps what is left of it.</summary>
    private sealed class Inserted(Op op)
    {
        public readonly Op Op = op;
        public long Left = -1;
    }

    public VcpuActor(VcpuIdentity identity, IReadOnlyList<Op> program, GuestTiming timing, long cntfrqHz = 100_000_000)
    {
        Identity = identity;
        Timing = timing;
        VirtualTimer = new GenericTimer(TimerKind.Virtual, cntfrqHz);
        _runner = new ProgramRunner(program, OnRequest);
    }

    public VcpuIdentity Identity { get; }
    /// <summary>The vCPU's index in its guest (its REC's, its MPIDR's affinity).</summary>
    public int Index => Identity.Index;
    public bool IsRealm => Identity.IsRealm;
    public GuestTiming Timing { get; }
    public GuestContext Context { get; } = new();
    /// <summary>The stage 2 the MMU walks for this vCPU's accesses (set when the machine is built).</summary>
    public IStage2? Stage2 { get; set; }
    /// <summary>What the guest OS knows of its own address space.</summary>
    public GuestLayout Layout { get; init; } = new();
    /// <summary>The EL1 virtual timer (CNTV_*) of this vCPU; the PE it runs on makes it fire.</summary>
    public GenericTimer VirtualTimer { get; }
    /// <summary>The simulated time, in picoseconds, of the PE that runs this vCPU (set when the machine is built); without it no request latency is recorded.</summary>
    public Func<long>? Clock { get; set; }
    /// <summary>Latencies of the requests the program's request loops completed (each iteration: from its start to its end).</summary>
    public Devices.Load.LatencyHistogram RequestLatency { get; } = new();

    public long InterruptsTaken { get; private set; }
    /// <summary>Interrupts taken, by virtual INTID.</summary>
    public IReadOnlyDictionary<int, long> InterruptsByIntid => _byIntid ?? (IReadOnlyDictionary<int, long>)EmptyCounts;
    public long ComputePicoseconds { get; private set; }
    public long MemoryFaults { get; set; }
    public long OpsRetired => _runner.Retired;
    /// <summary>The program has no operation left.</summary>
    public bool Finished => _runner.Current == null && _handlerLeft == 0 && _inserted.Count == 0;
    /// <summary>Where the program stands, for reports: the operation it is at, or "finished".</summary>
    public string Position => _runner.Current is { } op ? $"op {_runner.Retired} ({op})" : "finished";

    /// <summary>The operation the program is at (null: ended), whatever was put in front of it.</summary>
    public Op? ProgramOp => _runner.Current;

    /// <summary>
    /// The guest's devices (its drivers and what its I/O operations are doing), or null: a guest without
    /// devices. Interrupts its drivers claim run the driver's handler instead of the generic one.
    /// </summary>
    public Io.GuestIo? Io { get; init; }

    /// <summary>The device interrupts the last <see cref="TakeListRegisters"/> took (their drivers' handlers are to run).</summary>
    public IReadOnlyList<int> ClaimedInterrupts => _claimed;

    /// <summary>Puts <paramref name="op"/> after what was already put in front of the program's current operation.</summary>
    public void Insert(Op op) => _inserted.AddLast(new Inserted(op));

    /// <summary>Puts <paramref name="ops"/>, in order, in front of everything (an interrupt's handler preempts what the guest was doing).</summary>
    public void InsertFirst(params Op[] ops)
    {
        for (int i = ops.Length - 1; i >= 0; i--) _inserted.AddFirst(new Inserted(ops[i]));
    }

    private static readonly SortedDictionary<int, long> EmptyCounts = new();

    private bool _requestEnds, _requestBegins;

    /// <summary>
    /// A request loop's iteration ended or began. Both take effect when the guest next runs (<see cref="Peek"/>): an operation
    /// that traps retires when it traps, and its request is not over until the exit it caused has been handled.
    /// </summary>
    private void OnRequest(bool begins)
    {
        if (begins) _requestBegins = true; else _requestEnds = true;
    }

    private void SettleRequests()
    {
        if (!(_requestEnds || _requestBegins) || Clock is not { } clock) return;
        long now = clock();
        if (_requestEnds && _requestStart >= 0) RequestLatency.Record(now - _requestStart);
        if (_requestEnds) _requestStart = -1;
        if (_requestBegins) _requestStart = now;
        _requestEnds = _requestBegins = false;
    }

    public override void Handle(in SimEvent ev, ISimContext ctx) =>
        throw new InvalidOperationException($"vCPU {Identity} got event kind {ev.Kind}: events for a vCPU go to the PE that runs it");

    /// <summary>What the guest does next; a Compute is what is left of it.</summary>
    public GuestActivity Peek()
    {
        SettleRequests();
        if (_handlerLeft > 0) return new(ActivityKind.Compute, _handlerLeft);
        if (_inserted.First is { } first)
        {
            var i = first.Value;
            if (i.Op is not Compute ic) return new(ActivityKind.Operation, 0, i.Op);
            if (i.Left < 0) i.Left = Timing.ComputePicoseconds(ic);
            return new(ActivityKind.Compute, i.Left);
        }
        var op = _runner.Current;
        if (op == null) return new(ActivityKind.Halted);
        if (op is not Compute c) return new(ActivityKind.Operation, 0, op);
        if (_computeLeft < 0) _computeLeft = Timing.ComputePicoseconds(c);
        return new(ActivityKind.Compute, _computeLeft);
    }

    /// <summary>The guest computed for <paramref name="ps"/> of the activity <see cref="Peek"/> returned; a finished Compute retires.</summary>
    public void Progress(long ps)
    {
        if (ps < 0) throw new ArgumentOutOfRangeException(nameof(ps));
        ComputePicoseconds += ps;
        if (_handlerLeft > 0)
        {
            if (ps > _handlerLeft) throw new InvalidOperationException($"vCPU {Identity}: {ps} ps of progress on a handler with {_handlerLeft} ps left");
            _handlerLeft -= ps;
            return;
        }
        if (_inserted.First is { Value: { Op: Compute } head })
        {
            if (head.Left < ps) throw new InvalidOperationException($"vCPU {Identity}: {ps} ps of progress on inserted work with {head.Left} ps left");
            head.Left -= ps;
            if (head.Left == 0) _inserted.RemoveFirst();
            return;
        }
        if (_computeLeft < ps) throw new InvalidOperationException($"vCPU {Identity}: {ps} ps of progress on a compute with {_computeLeft} ps left");
        _computeLeft -= ps;
        if (_computeLeft == 0) { _computeLeft = -1; _runner.Complete(); }
    }

    /// <summary>Retires the current (non-compute) operation.</summary>
    public void Complete()
    {
        if (_inserted.First is { } first)
        {
            if (first.Value.Op is Compute) throw new InvalidOperationException($"vCPU {Identity}: inserted work is retired by progress, not completed");
            _inserted.RemoveFirst();
            return;
        }
        if (_runner.Current is Compute or null) throw new InvalidOperationException($"vCPU {Identity}: nothing to complete");
        _runner.Complete();
    }

    /// <summary>
    /// On entry the virtual CPU interface holds these list registers: the guest takes every pending one
    /// at once — acknowledges and EOIs it, so the list register reads invalid again — and its handler
    /// runs before the program continues. Returns how many it took.
    /// </summary>
    public int TakeListRegisters(ReadOnlySpan<ulong> lrs)
    {
        int n = 0;
        var held = Context.ListRegisters;
        Span<ulong> loaded = stackalloc ulong[GuestContext.ListRegisterCount];
        lrs[..Math.Min(lrs.Length, loaded.Length)].CopyTo(loaded); // the caller may pass the context's own registers
        Array.Clear(held);
        _claimed.Clear();
        long generic = 0;
        for (int i = 0; i < loaded.Length; i++)
        {
            ulong lr = loaded[i];
            if ((lr >> 62 & 1) == 0) { held[i] = lr; continue; } // not pending: left as it was
            held[i] = lr & ~(3UL << 62);                          // taken: acknowledged and EOIed
            int intid = (int)(lr & 0xFFFF_FFFF);
            if (intid == GenericTimer.VirtualPpi) VirtualTimer.Disable(); // the guest's timer handler stops the one-shot timer
            _byIntid ??= new SortedDictionary<int, long>();
            _byIntid[intid] = _byIntid.GetValueOrDefault(intid) + 1;
            n++;
            if (Io?.Claims(intid) == true) _claimed.Add(intid); // its driver's handler (with its own entry and EOI cost) runs instead
            else generic++;
        }
        InterruptsTaken += n;
        _handlerLeft += generic * Timing.IrqHandlerPicoseconds;
        return n;
    }

    /// <summary>For <see cref="WaitInterrupt"/>: true (and used up) if an interrupt was taken that nothing has waited for yet.</summary>
    public bool TakeInterruptCredit()
    {
        if (InterruptsTaken <= _waitedFor) return false;
        _waitedFor++;
        return true;
    }
}

/// <summary>
/// The guest's own conventions: a realm puts device addresses in the unprotected half of its IPA space
/// (<see cref="UnprotectedIpaBit"/>), and passes RSI_HOST_CALL an argument block at <see cref="HostCallIpa"/>.
/// </summary>
public sealed record GuestLayout(ulong UnprotectedIpaBit = 0, ulong HostCallIpa = 0);

/// <summary>Who a vCPU is: its component id, its guest (by index and name), its index in the guest, and whether the guest is a realm.</summary>
public readonly record struct VcpuIdentity(int Component, int Guest, int Index, bool IsRealm, string GuestName = "guest0")
{
    public override string ToString() => $"{GuestName}/{Index}";
}
