using VirtCca.Cores.Workloads;
using VirtCca.Devices.Gic;
using VirtCca.Interconnect;

namespace VirtCca.Cores.Vcpu;

/// <summary>
/// One vCPU: its guest context and workload program. It runs only while resident on its PE, which
/// drives it by direct calls (<see cref="Peek"/>, <see cref="Progress"/>, <see cref="Complete"/>,
/// <see cref="InjectPending"/>) within a window; anything addressed to it goes to that PE, so it
/// never receives events itself.
/// </summary>
public sealed class VcpuActor(int index, IReadOnlyList<Op> program, GuestTiming timing) : Component
{
    private readonly ProgramRunner _runner = new(program);
    private long _computeLeft = -1;   // of the current Compute op, once started
    private long _handlerLeft;        // interrupt handlers to run before the program continues
    private long _waitedFor;

    /// <summary>Machine-wide vCPU index (its REC, its MPIDR's affinity).</summary>
    public int Index { get; } = index;
    public GuestTiming Timing { get; } = timing;
    public GuestContext Context { get; } = new();
    public long InterruptsTaken { get; private set; }
    /// <summary>Interrupts taken, by virtual INTID.</summary>
    public SortedDictionary<int, long> InterruptsByIntid { get; } = new();
    public long ComputePicoseconds { get; private set; }
    public long MemoryFaults { get; set; }
    public long OpsRetired => _runner.Retired;
    /// <summary>The program has run to its end (read by the launcher to tell a finished run from a cut one).</summary>
    public bool ProgramFinished => _runner.Current == null;
    public bool HasPending => Context.PendingVirtual.Count > 0;

    public override void Handle(in SimEvent ev, ISimContext ctx) =>
        throw new InvalidOperationException($"vCPU {Index} got event kind {ev.Kind}: events for a vCPU go to the PE that runs it");

    /// <summary>What the guest does next; a Compute is what is left of it.</summary>
    public GuestActivity Peek()
    {
        if (_handlerLeft > 0) return new(ActivityKind.Compute, _handlerLeft);
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
            if (ps > _handlerLeft) throw new InvalidOperationException($"vCPU {Index}: {ps} ps of progress on a handler with {_handlerLeft} ps left");
            _handlerLeft -= ps;
            return;
        }
        if (_computeLeft < ps) throw new InvalidOperationException($"vCPU {Index}: {ps} ps of progress on a compute with {_computeLeft} ps left");
        _computeLeft -= ps;
        if (_computeLeft == 0) { _computeLeft = -1; _runner.Complete(); }
    }

    /// <summary>Retires the current (non-compute) operation.</summary>
    public void Complete()
    {
        if (_runner.Current is Compute or null) throw new InvalidOperationException($"vCPU {Index}: nothing to complete");
        _runner.Complete();
    }

    /// <summary>KVM's vGIC marks a virtual interrupt pending for this vCPU.</summary>
    public void Pend(int intid) => Context.PendingVirtual.Add(intid);

    /// <summary>
    /// On entry: the pending virtual interrupts go into list registers (at most 16, lowest INTID
    /// first) and the guest takes them before it continues. Returns how many.
    /// </summary>
    public int InjectPending()
    {
        Array.Clear(Context.ListRegisters);
        int n = 0;
        while (n < ListRegister.PerVcpu && Context.PendingVirtual.Count > 0)
        {
            int intid = Context.PendingVirtual.Min;
            Context.PendingVirtual.Remove(intid);
            InterruptsByIntid[intid] = InterruptsByIntid.GetValueOrDefault(intid) + 1;
            Context.ListRegisters[n++] = new ListRegister((uint)intid, 0xA0, InterruptGroup.Group1NonSecure, ListRegisterState.Pending);
        }
        InterruptsTaken += n;
        _handlerLeft += n * Timing.IrqHandlerPicoseconds;
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
