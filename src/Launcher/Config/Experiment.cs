using VirtCca.Interconnect;
using VirtCca.Interconnect.Models;

namespace VirtCca.Launcher.Config;

/// <summary>Everything a run needs, read and checked from a loaded config.</summary>
public sealed record Experiment(
    LoadedConfig Loaded,
    string Engine,
    KernelSettings Kernel,
    SimTime? Lookahead,
    TimeSpan ProgressInterval,
    ClusterSettings Cluster,
    Func<ISimulationModel> ModelFactory)
{
    /// <summary>sim.lax-shadow: run the experiment exactly as well and report the difference per metric.</summary>
    public bool LaxShadow { get; init; }

    public static Experiment From(LoadedConfig loaded)
    {
        var r = new ConfigReader(loaded);
        var engine = r.OneOf("sim.engine", "actors", "sequential");
        int threads = r.IntOrAuto("sim.threads") ?? Environment.ProcessorCount;
        int partitions = r.IntOrAuto("sim.partitions") ?? threads;
        var lookahead = r.TimeOr("sim.lookahead", "auto");
        var quantum = r.TimeOr("sim.quantum", "off");
        var kernel = new KernelSettings
        {
            Seed = r.ULong("sim.seed"),
            EndTime = r.Time("sim.end-time"),
            Quantum = quantum,
            Threads = threads,
            Partitions = partitions,
            ComponentActors = r.Bool("sim.component-actors"),
            ParallelThreshold = r.Int("sim.parallel-threshold", 0),
            PayloadCodec = r.OneOf("sim.payload-codec", "cross-process", "always") == "always" ? PayloadCodec.Always : PayloadCodec.CrossProcess,
        };
        bool shadow = r.Bool("sim.lax-shadow");
        var progress = TimeSpan.FromMilliseconds(r.Time("sim.progress-interval").Picoseconds / 1_000_000_000.0);
        var cluster = ClusterSettings.From(r);
        if (engine == "sequential" && cluster.Nodes > 1)
            throw r.Error("cluster.nodes", "the sequential engine runs in one process; use sim.engine = actors for more nodes");
        var factory = BuildModelFactory(r, lookahead);
        // Build once now, so a bad model or topology is a config error before anything starts.
        var model = factory();
        var groupLookahead = model.Topology.Lookahead;
        if (quantum is { } && groupLookahead == SimTime.MaxValue)
            throw r.Error("sim.quantum", "this model has no link between placement groups, so lax synchronisation has nothing to relax; set sim.quantum = off");
        if (quantum is { } q && q < groupLookahead)
            throw r.Error("sim.quantum", $"{q.Picoseconds} ps is smaller than the lookahead {groupLookahead.Picoseconds} ps ({model.Topology.LookaheadLink})");
        if (quantum is { } && engine == "sequential")
            throw r.Error("sim.quantum", "the sequential engine runs exact synchronisation only; set sim.quantum = off");
        if (shadow && !(quantum is { } lq && lq > groupLookahead))
            throw r.Error("sim.lax-shadow", $"compares a lax run with the exact one; set sim.quantum above the lookahead {groupLookahead.Picoseconds} ps");
        return new Experiment(loaded, engine, kernel, lookahead, progress, cluster, factory) { LaxShadow = shadow };
    }

    private static Func<ISimulationModel> BuildModelFactory(ConfigReader r, SimTime? lookahead)
    {
        var type = r.OneOf("model.type", "phold", "machine");
        if (type == "machine")
        {
            if (lookahead != null) throw r.Error("sim.lookahead", "the machine model's lookahead is its shortest link; leave it auto");
            return MachineConfig.Read(r);
        }
        var p = new PholdParameters
        {
            Components = r.Int("phold.components", 1, 1_000_000),
            Population = r.Int("phold.population", 0, 1_000_000),
            Lookahead = r.Time("phold.lookahead"),
            MeanDelay = r.Time("phold.mean-delay", positive: false),
            RemoteFraction = r.Double("phold.remote-fraction", 0, 1),
            GroupSize = r.Int("phold.group-size", 1, 1_000_000),
        };
        if (lookahead is { } la && la > p.Lookahead)
            throw r.Error("sim.lookahead", $"{la.Picoseconds} ps is longer than the shortest link (phold.lookahead = {p.Lookahead.Picoseconds} ps); every link must be at least the lookahead");
        return () => new PholdModel(p);
    }
}

/// <summary>cluster.* settings.</summary>
public sealed record ClusterSettings(int Nodes, bool StartWorkers, string Hostname, int Port, TimeSpan WindowTimeout, TimeSpan JoinTimeout)
{
    public static ClusterSettings From(ConfigReader r) => new(
        r.Int("cluster.nodes", 1, 64),
        r.Bool("cluster.start-workers"),
        r.Raw("cluster.hostname"),
        r.Int("cluster.port", 0, 65535),
        TimeSpan.FromMilliseconds(r.Time("cluster.window-timeout").Picoseconds / 1e9),
        TimeSpan.FromMilliseconds(r.Time("cluster.join-timeout").Picoseconds / 1e9));
}
