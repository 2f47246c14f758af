namespace VirtCca.Cores.Workloads;

/// <summary>
/// The guest's program counter over a workload program: <see cref="Current"/> is the operation the
/// guest is at (loops unrolled on the fly, never containers), <see cref="Complete"/> retires it.
/// </summary>
public sealed class ProgramRunner
{
    private readonly Stack<Frame> _frames = new();

    private sealed class Frame(IReadOnlyList<Op> body, long iterations, bool requests = false)
    {
        public readonly IReadOnlyList<Op> Body = body;
        public readonly bool Requests = requests;
        public int Index;
        public long IterationsLeft = iterations;
    }

    /// <summary>Called when an iteration of a request loop (<see cref="Loop.Requests"/>) begins (true) or ends (false).</summary>
    private readonly Action<bool>? _request;

    public ProgramRunner(IReadOnlyList<Op> program, Action<bool>? request = null)
    {
        _request = request;
        _frames.Push(new Frame(program, 1));
        Settle();
    }

    /// <summary>The operation at the program counter, or null when the program has ended.</summary>
    public Op? Current { get; private set; }

    /// <summary>Operations retired so far.</summary>
    public long Retired { get; private set; }

    public void Complete()
    {
        if (Current == null) throw new InvalidOperationException("the program has ended");
        _frames.Peek().Index++;
        Retired++;
        Settle();
    }

    /// <summary>Moves to the next leaf operation: enters loops, leaves finished bodies.</summary>
    private void Settle()
    {
        while (_frames.Count > 0)
        {
            var f = _frames.Peek();
            if (f.Index == f.Body.Count)
            {
                if (f.Requests) _request?.Invoke(false);
                if (--f.IterationsLeft > 0) { f.Index = 0; if (f.Requests) _request?.Invoke(true); continue; }
                _frames.Pop();
                if (_frames.Count > 0) _frames.Peek().Index++;
                continue;
            }
            var op = f.Body[f.Index];
            if (op is Loop loop)
            {
                if (loop.Count < 0) throw new ArgumentException($"loop count {loop.Count} is negative");
                if (loop.Count == 0 || loop.Body.Count == 0) { f.Index++; continue; }
                _frames.Push(new Frame(loop.Body, loop.Count, loop.Requests));
                if (loop.Requests) _request?.Invoke(true);
                continue;
            }
            Current = op;
            return;
        }
        Current = null;
    }
}
