using VirtCca.Interconnect;

namespace VirtCca.Devices.Virtio.Backend;

/// <summary>
/// A backend's host thread (a vhost worker or a QEMU I/O thread): one job at a time, first in first
/// out, each occupying host CPU for its cycles. A job is asked for its cost only when the thread
/// reaches it (it may find nothing to do and return null), and its completion runs when the cycles
/// are over. A thread that ran dry sleeps; the next job pays the wake-up.
/// <para>
/// Where the cycles run is the <see cref="HostCpu"/>: a dedicated I/O core modelled here (the
/// thread's own timer), or a PE of the machine, which gets <see cref="DeviceKinds.HostWork"/> with
/// the cycles and answers <see cref="DeviceKinds.HostWorkDone"/> when it has run them (so host work
/// competes with vCPUs for that PE).
/// </para>
/// </summary>
public sealed class HostThread(HostCpu cpu, long wakeCycles)
{
    public delegate (long Cycles, Action<ISimContext>? Done)? Job(ISimContext ctx);

    /// <summary>The thread's own event kind when it runs on a dedicated core.</summary>
    public const int KindServiceDone = 0x64F0;

    private readonly LinkedList<Job> _jobs = new();
    private Action<ISimContext>? _done;
    private bool _awake, _busy;

    public long Wakeups { get; private set; }
    public long JobsRun { get; private set; }
    public long BusyCycles { get; private set; }
    public bool Awake => _awake;

    /// <summary>Queues a job; a sleeping thread wakes (paying <c>wakeCycles</c> unless <paramref name="chargeWake"/> is off: it never really slept).</summary>
    public void Post(ISimContext ctx, Job job, bool chargeWake = true)
    {
        _jobs.AddLast(job);
        if (_awake) return;
        _awake = true;
        Next(ctx, chargeWake ? wakeCycles : 0);
    }

    /// <summary>Queues a job ahead of the others (work that follows on from the job just finished, as a signal after a used-ring write).</summary>
    public void PostFirst(ISimContext ctx, Job job)
    {
        _jobs.AddFirst(job);
        if (!_awake) { _awake = true; Next(ctx, wakeCycles); }
    }

    /// <summary>The running job's cycles are over (the dedicated core's timer, or the PE's HostWorkDone).</summary>
    public void OnServiceDone(ISimContext ctx)
    {
        if (!_busy) throw new InvalidOperationException("host thread: a service completion arrived while it ran nothing");
        _busy = false;
        var done = _done;
        _done = null;
        done?.Invoke(ctx);
        if (!_busy) Next(ctx, 0);
    }

    private void Next(ISimContext ctx, long extraCycles)
    {
        while (_jobs.First is { } first)
        {
            _jobs.RemoveFirst();
            if (first.Value(ctx) is not { } job) continue;
            if (extraCycles > 0) Wakeups++;
            long cycles = job.Cycles + extraCycles;
            _busy = true;
            _done = job.Done;
            JobsRun++;
            BusyCycles += cycles;
            cpu.Run(ctx, cycles);
            return;
        }
        _awake = false;
    }
}

/// <summary>Where a host thread's cycles run: its own dedicated core (<see cref="Pe"/> null) or a PE component.</summary>
public sealed record HostCpu(long FrequencyHz = 2_600_000_000, int? Pe = null)
{
    public void Run(ISimContext ctx, long cycles)
    {
        if (Pe is { } pe) ctx.Send(pe, DeviceKinds.HostWork, cycles);
        else ctx.Schedule(SimTime.FromCycles(cycles, FrequencyHz), HostThread.KindServiceDone);
    }
}
