using Akka.Actor;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Wire;

namespace VirtCca.Interconnect.Cluster;

/// <summary>What a node builds from a <see cref="Setup"/>: the model and its kernel settings.</summary>
public delegate (ISimulationModel Model, KernelSettings Settings) NodeModelFactory(string configHocon);

/// <summary>
/// The one partition actor of a process: it runs this process's partitions window by window when the
/// coordinator says so, and hands back everything bound for other processes as one batch per
/// destination partition. It sits on a pinned thread, since a window blocks it while it runs.
/// </summary>
public sealed class PartitionActor : ReceiveActor
{
    public const string Name = "partition";
    private WindowRunner? _runner;
    private ISimulationModel? _model;
    private int _node;

    public PartitionActor(NodeModelFactory factory)
    {
        Receive<Setup>(s => Guard(s.NodeIndex, () =>
        {
            _node = s.NodeIndex;
            var (model, settings) = factory(s.ConfigHocon);
            _model = model;
            _runner?.Dispose();
            _runner = new WindowRunner(model, settings, s.TotalPartitions, s.Partitions, Context.System);
            _runner.Start();
            ReplyDone(0, 0, Collect());
        }));
        Receive<StartWindow>(w => Guard(_node, () =>
        {
            var runner = Runner;
            foreach (var b in w.Batches) runner.Receive(b.ToPartition, BatchCodec.Decode(b));
            long before = runner.Events;
            var outgoing = new List<EventBatch>();
            runner.RunWindow(w.End, (dst, box) => outgoing.Add(BatchCodec.Encode(dst, box)));
            ReplyDone(w.Window, runner.Events - before, outgoing);
        }));
        Receive<Finish>(_ => Guard(_node, () =>
        {
            var runner = Runner;
            var (shifted, maxShift) = runner.Shifts();
            var final = new NodeFinal
            {
                NodeIndex = _node, Events = runner.Events, LastEventTime = runner.LastEventTime(), ShiftedMessages = shifted, MaxShift = maxShift,
            };
            foreach (var (id, d) in runner.Digests())
                final.Digests.Add(new ComponentDigestEntry { Id = id, Hash = d.Hash, Count = d.Count });
            if (_model is IReportsMetrics reporting)
                foreach (var (name, value) in reporting.Metrics()) final.Metrics.Add(new NodeMetric { Name = name, Value = value });
            Sender.Tell(final);
        }));
        Receive<Shutdown>(_ => Context.System.Terminate());
    }

    private WindowRunner Runner => _runner ?? throw new SimulationException($"node {_node} got a window before its setup");

    private List<EventBatch> Collect()
    {
        // Events that components sent to other processes while starting are already in outboxes; RunWindow is not needed.
        var outgoing = new List<EventBatch>();
        Runner.FlushRemote((dst, box) => outgoing.Add(BatchCodec.Encode(dst, box)));
        return outgoing;
    }

    private void ReplyDone(long window, long events, List<EventBatch> batches)
    {
        var done = new WindowDone { Window = window, NodeIndex = _node, NextTime = Runner.NextTime(), Reach = Runner.Reach(), Events = events };
        done.Batches.AddRange(batches);
        Sender.Tell(done);
    }

    private void Guard(int node, Action action)
    {
        try { action(); }
        catch (Exception e) { Sender.Tell(new NodeFailed { NodeIndex = node, Message = e.Message }); }
    }

    protected override void PostStop() => _runner?.Dispose();

    public static Props PropsFor(NodeModelFactory factory) =>
        Props.Create(() => new PartitionActor(factory)).WithDispatcher(PartitionDispatcher.NodeDispatcherPath);
}
