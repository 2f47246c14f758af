namespace VirtCca.Interconnect.Engine;

/// <summary>
/// The partitions of one split window, handed out one at a time to whichever thread asks first —
/// the engine's own thread included. A helper thread that wakes late finds the work taken and goes
/// back to sleep, so on a busy machine a window costs at most what running it alone would, plus
/// waiting for partitions a helper has actually started.
/// </summary>
internal sealed class SplitWindow(IReadOnlyList<Partition> partitions, long end, long pauseEvents)
{
    private int _next = -1;
    private int _done;
    private Exception? _error;

    public bool Finished => Volatile.Read(ref _done) == partitions.Count;

    /// <summary>Runs partitions until none is left to claim.</summary>
    public void Help()
    {
        int i;
        while ((i = Interlocked.Increment(ref _next)) < partitions.Count)
        {
            try { partitions[i].RunWindow(end, pauseEvents); }
            catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
            Interlocked.Increment(ref _done);
        }
    }

    /// <summary>Called by the engine's thread after its own <see cref="Help"/>: waits for partitions still running elsewhere.</summary>
    /// <remarks>
    /// Spins and yields but never sleeps: the default <see cref="SpinWait.SpinOnce()"/> falls back to
    /// Thread.Sleep(1) after 20 spins, which on Linux wakes a millisecond or more later — longer than a
    /// whole partition's share of a typical window (a few hundred microseconds), so it cost more than the
    /// second thread saved (datacenter.conf: the engine thread slept ~1.1 ms in one window of ten).
    /// </remarks>
    public void Finish()
    {
        var spin = new SpinWait();
        while (!Finished) spin.SpinOnce(sleep1Threshold: -1);
        if (_error is { } e) throw e is SimulationException ? e : new SimulationException(e.Message, e);
    }
}

/// <summary>A dedicated OS thread that helps with split windows when the engine signals one.</summary>
internal sealed class WorkerThread : IDisposable
{
    private readonly ManualResetEventSlim _go = new(false, spinCount: 2000);
    private readonly Thread _thread;
    private volatile SplitWindow? _work;
    private volatile bool _stop;

    public WorkerThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Offer(SplitWindow work)
    {
        _work = work;
        _go.Set();
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stop) return;
            _work?.Help();
        }
    }

    public void Dispose()
    {
        _stop = true;
        _go.Set();
        _thread.Join();
        _go.Dispose();
    }
}
