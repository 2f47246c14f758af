namespace VirtCca.Interconnect.Engine;

/// <summary>A dedicated OS thread that runs its share of partitions when the coordinator opens a window.</summary>
internal sealed class WorkerThread : IDisposable
{
    private readonly ManualResetEventSlim _go = new(false, spinCount: 2000);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private readonly Thread _thread;
    private Action? _work;
    private Exception? _error;
    private volatile bool _stop;

    public WorkerThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Start(Action work)
    {
        _work = work;
        _done.Reset();
        _go.Set();
    }

    public void Wait()
    {
        _done.Wait();
        if (_error is { } e) { _error = null; throw e is SimulationException ? e : new SimulationException(e.Message, e); }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stop) return;
            try { _work!(); }
            catch (Exception e) { _error = e; }
            _done.Set();
        }
    }

    public void Dispose()
    {
        _stop = true;
        _go.Set();
        _thread.Join();
        _go.Dispose();
        _done.Dispose();
    }
}
