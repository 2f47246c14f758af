using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>What a test guest does: scripted driver calls at given times, and the driver's handlers.</summary>
internal sealed class GuestScript
{
    public List<(SimTime At, Func<DriverStep> Step)> Actions { get; } = new();
    public required Action<UsedPublished> OnPublished { get; init; }
    /// <summary>The driver's handler for the virtual INTID that arrived.</summary>
    public required Func<long, DriverStep> OnInterrupt { get; init; }
    public Func<DriverStep>? Poll { get; init; }
    /// <summary>What else a received completion makes the guest do (a server answering a request).</summary>
    public Func<DriverCompletion, Func<DriverStep>?>? OnCompletion { get; init; }
    /// <summary>The notify exit as a PE would charge it: kvm.mmio-kernel-rt, 1,660 cycles (costs.md §8.1).</summary>
    public long NotifyExitCycles { get; init; } = 1_660;
    public long Hz { get; init; } = 2_600_000_000;
}

/// <summary>
/// A one-vCPU guest standing in for the PE: it runs one driver step at a time, each taking its
/// cycles; at a step's end it sends the step's publications to the backend, then performs each
/// notification as an exit of <see cref="GuestScript.NotifyExitCycles"/> at whose end KVM's
/// ioeventfd reaches the backend. It logs "time:id:status" per completion and counts what it saw.
/// </summary>
internal sealed class GuestStub(int backend, GuestScript script, List<string> log) : Component
{
    private const int KindAction = 1, KindStepDone = 2, KindExitDone = 3;
    private readonly Queue<Func<DriverStep>> _pending = new();
    private readonly Queue<DriverNotification> _exits = new();
    private DriverStep? _current;
    private bool _busy;

    public int Interrupts { get; private set; }
    public int Notifications { get; private set; }
    public List<(long Time, DriverCompletion Completion)> Completions { get; } = new();

    public override void Start(ISimContext ctx)
    {
        for (int i = 0; i < script.Actions.Count; i++) ctx.Schedule(script.Actions[i].At, KindAction, i);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case KindAction: Enqueue(ctx, script.Actions[(int)ev.Arg].Step); break;
            case DeviceKinds.VirtioUsedPublished: script.OnPublished(ev.PayloadAs<UsedPublished>()); break;
            case DeviceKinds.VirtioInterrupt: { Interrupts++; long intid = ev.Arg; Enqueue(ctx, () => script.OnInterrupt(intid)); break; }
            case KindStepDone: EndStep(ctx); break;
            case KindExitDone: NextExit(ctx); break;
            default: throw new InvalidOperationException($"guest got kind {ev.Kind:X}");
        }
    }

    private void Enqueue(ISimContext ctx, Func<DriverStep> step)
    {
        _pending.Enqueue(step);
        if (!_busy) RunNext(ctx);
    }

    private void RunNext(ISimContext ctx)
    {
        if (_pending.Count == 0) { _busy = false; return; }
        _busy = true;
        _current = _pending.Dequeue()();
        ctx.Schedule(SimTime.FromCycles(_current.Cycles, script.Hz), KindStepDone);
    }

    private void EndStep(ISimContext ctx)
    {
        var step = _current!;
        foreach (var p in step.Publications) ctx.Send(backend, DeviceKinds.VirtioAvailPublished, p.Queue, p.Encode());
        foreach (var c in step.Completed)
        {
            log.Add($"{ctx.Now.Picoseconds}:{c.Id}:{c.Status}");
            Completions.Add((ctx.Now.Picoseconds, c));
            if (script.OnCompletion?.Invoke(c) is { } follow) _pending.Enqueue(follow);
        }
        if (step.Repoll && script.Poll != null) _pending.Enqueue(script.Poll);
        foreach (var n in step.Notifications) _exits.Enqueue(n);
        NextExit(ctx);
    }

    /// <summary>One notification exit at a time; the vCPU runs its next step when they are done.</summary>
    private void NextExit(ISimContext ctx)
    {
        if (_exits.Count == 0) { RunNext(ctx); return; }
        var n = _exits.Dequeue();
        Notifications++;
        var exit = SimTime.FromCycles(script.NotifyExitCycles, script.Hz);
        ctx.Send(backend, DeviceKinds.VirtioNotify, n.Data, extraDelay: exit);
        ctx.Schedule(exit, KindExitDone);
    }
}
