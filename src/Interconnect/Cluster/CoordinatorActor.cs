using Akka.Actor;
using Akka.Cluster;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Interconnect.Cluster;

/// <summary>Start a distributed run over these nodes' partition actors (node i = Nodes[i]; node 0 is this process).</summary>
public sealed record CoordinateRun(
    IReadOnlyList<IActorRef> Nodes,
    string ConfigHocon,
    int PartitionsPerNode,
    long EndTime,
    Engine.WindowPlan Plan,
    TimeSpan WindowTimeout,
    TaskCompletionSource<RunResult> Completion,
    Action<RunProgress>? Progress);

/// <summary>
/// The global window loop across processes. Every window: each node that has work gets one
/// StartWindow carrying the batches other nodes produced for it in the previous window; it answers
/// one WindowDone with its next event time and its outgoing batches. The next window opens only when
/// every node has answered, so every batch sent has arrived (the coordinator holds them). Nodes
/// with nothing due and nothing inbound sit a window out. A lost, failed or silent node ends the
/// run with an error that names it and the last completed window.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor
{
    private CoordinateRun _run = null!;
    private long[] _next = [], _reach = [];
    private List<EventBatch>[] _inbound = [];
    private readonly HashSet<int> _waiting = new();
    private readonly List<NodeFinal> _finals = new();
    private long _window, _events, _windowStart;
    private long _lastCompleted = -1;
    private bool _finishing, _eventsPending;
    private readonly System.Diagnostics.Stopwatch _clock = new();

    public CoordinatorActor()
    {
        Receive<CoordinateRun>(Begin);
        Receive<WindowDone>(OnDone);
        Receive<NodeFinal>(OnFinal);
        Receive<NodeFailed>(f => Fail($"node {f.NodeIndex} ({Address(f.NodeIndex)}) failed: {f.Message}"));
        Receive<Terminated>(t => Fail($"node {IndexOf(t.ActorRef)} ({t.ActorRef.Path.Address}) was lost"));
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            int i = IndexOfAddress(u.Member.Address);
            if (i >= 0) Fail($"node {i} ({u.Member.Address}) became unreachable");
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ReceiveTimeout>(_ => Fail(
            $"node(s) {string.Join(", ", _waiting.Select(i => $"{i} ({Address(i)})"))} did not answer window {_window} within {_run.WindowTimeout.TotalSeconds:F0} s"));
    }

    private void Begin(CoordinateRun run)
    {
        _run = run;
        int n = run.Nodes.Count;
        _next = new long[n];
        _reach = new long[n];
        _inbound = Enumerable.Range(0, n).Select(_ => new List<EventBatch>()).ToArray();
        if (Context.System.Settings.ProviderClass.Contains("Cluster"))
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));
        for (int i = 0; i < n; i++)
        {
            Context.Watch(run.Nodes[i]);
            var setup = new Setup { ConfigHocon = run.ConfigHocon, NodeIndex = i, Nodes = n, TotalPartitions = n * run.PartitionsPerNode };
            setup.Partitions.AddRange(Enumerable.Range(i * run.PartitionsPerNode, run.PartitionsPerNode));
            run.Nodes[i].Tell(setup);
            _waiting.Add(i);
        }
        Context.SetReceiveTimeout(run.WindowTimeout);
    }

    private void OnDone(WindowDone d)
    {
        if (d.Window != _window || !_waiting.Remove(d.NodeIndex)) return;
        _next[d.NodeIndex] = d.NextTime;
        _reach[d.NodeIndex] = d.Reach;
        _events += d.Events;
        foreach (var b in d.Batches) _inbound[b.ToPartition / _run.PartitionsPerNode].Add(b);
        if (_waiting.Count > 0) return;

        _lastCompleted = _window;
        if (_window == 0) _clock.Start(); // the run proper starts once every node is set up
        // The window ends where the earliest event anywhere — a node's own, or one in a batch held
        // here for it — could reach another partition (exact), or a quantum after the first (lax).
        var plan = _run.Plan;
        long t = long.MaxValue, reach = long.MaxValue;
        for (int i = 0; i < _next.Length; i++)
        {
            t = Math.Min(t, _next[i]);
            reach = Math.Min(reach, _reach[i]);
            foreach (var b in _inbound[i])
            {
                long first = BatchCodec.MinTime(b);
                t = Math.Min(t, first);
                reach = Math.Min(reach, plan.Reach(b.ToPartition, first));
            }
        }
        if (t >= _run.EndTime) { _eventsPending = t != long.MaxValue; Finish(); return; }

        _window++;
        _windowStart = t;
        long end = Math.Min(_run.EndTime, plan.Lax ? plan.LaxEnd(t) : reach);
        // Remote nodes first: node 0 shares this process, and once it starts computing, the send to
        // the others would wait for a thread and the nodes would run one after the other.
        for (int i = _next.Length - 1; i >= 0; i--)
        {
            if (_next[i] >= end && _inbound[i].Count == 0) continue; // nothing due there: it sits this window out
            var start = new StartWindow { Window = _window, End = end };
            start.Batches.AddRange(_inbound[i]);
            _inbound[i].Clear();
            _run.Nodes[i].Tell(start);
            _waiting.Add(i);
        }
        if ((_window & 0x3FF) == 0) _run.Progress?.Invoke(new RunProgress(_window, _events, new SimTime(t)));
    }

    private void Finish()
    {
        _finishing = true;
        foreach (var node in _run.Nodes) node.Tell(new Finish());
        for (int i = 0; i < _run.Nodes.Count; i++) _waiting.Add(i);
    }

    private void OnFinal(NodeFinal f)
    {
        if (!_finishing || !_waiting.Remove(f.NodeIndex)) return;
        _finals.Add(f);
        if (_waiting.Count > 0) return;
        var digests = _finals.SelectMany(x => x.Digests).Select(e => (e.Id, new ComponentDigest { Hash = e.Hash, Count = e.Count }));
        var result = new RunResult("actors", TraceDigest.Combine(digests), _finals.Sum(x => x.Events), _window,
            new SimTime(_finals.Max(x => x.LastEventTime)), _run.Nodes.Count * _run.PartitionsPerNode, _run.Nodes.Count,
            _clock.Elapsed.TotalSeconds)
        {
            Metrics = SumMetrics(_finals),
            EventsPending = _eventsPending,
            Sync = _run.Plan.Report(_finals.Sum(f => f.ShiftedMessages), _finals.Max(f => f.MaxShift)),
        };
        Done();
        _run.Completion.TrySetResult(result);
    }

    /// <summary>Each name summed over the nodes, in the order node 0, 1, ... first report it; null when no node reported any.</summary>
    private static IReadOnlyList<KeyValuePair<string, double>>? SumMetrics(IEnumerable<NodeFinal> finals)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, double>();
        foreach (var f in finals.OrderBy(f => f.NodeIndex))
            foreach (var m in f.Metrics)
            {
                if (!sums.ContainsKey(m.Name)) { order.Add(m.Name); sums[m.Name] = 0; }
                sums[m.Name] += m.Value;
            }
        return order.Count == 0 ? null : order.Select(n => new KeyValuePair<string, double>(n, sums[n])).ToList();
    }

    private void Fail(string reason)
    {
        if (_run == null || _run.Completion.Task.IsCompleted) return;
        var partial = new RunResult("actors", "incomplete", _events, Math.Max(0, _lastCompleted),
            new SimTime(_windowStart), _run.Nodes.Count * _run.PartitionsPerNode, _run.Nodes.Count, _clock.Elapsed.TotalSeconds);
        string last = _lastCompleted < 1 ? "no window completed (setup only)" : $"last completed window {_lastCompleted} (started at t={_windowStart} ps)";
        Done();
        _run.Completion.TrySetException(new ClusterRunException($"distributed run stopped: {reason}; {last}", partial, _lastCompleted));
    }

    private void Done()
    {
        Context.SetReceiveTimeout(null);
        foreach (var node in _run.Nodes) Context.Unwatch(node);
    }

    private int IndexOf(IActorRef r)
    {
        for (int i = 0; i < _run.Nodes.Count; i++) if (_run.Nodes[i].Equals(r)) return i;
        return -1;
    }

    private int IndexOfAddress(Address a)
    {
        for (int i = 0; i < _run.Nodes.Count; i++) if (_run.Nodes[i].Path.Address.Equals(a)) return i;
        return -1;
    }

    private string Address(int i) => i >= 0 && i < _run.Nodes.Count ? _run.Nodes[i].Path.Address.ToString() : "?";
}
