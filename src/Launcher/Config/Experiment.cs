using VirtCca.Interconnect;
using VirtCca.Interconnect.Models;
using VirtCca.Launcher.Composition;

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
    /// <summary>The machine the model builds (null for PHOLD): its guests' programs say where an unfinished run stopped.</summary>
    public MachineSpec? Machine { get; init; }

    /// <summary>The run's limit, sim.end-time; null (off): it ends when nothing is left to happen.</summary>
    public SimTime? EndLimit => Kernel.EndTime == SimTime.MaxValue ? null : Kernel.EndTime;

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
        var endTime = r.TimeOr("sim.end-time", "off");
        var kernel = new KernelSettings
        {
            Seed = r.ULong("sim.seed"),
            EndTime = endTime ?? SimTime.MaxValue, // off: a run ends when nothing is left to happen
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
        var (factory, machine) = BuildModelFactory(r, lookahead);
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
        return new Experiment(loaded, engine, kernel, lookahead, progress, cluster, factory) { LaxShadow = shadow, Machine = machine };
    }

    private static (Func<ISimulationModel>, MachineSpec?) BuildModelFactory(ConfigReader r, SimTime? lookahead)
    {
        if (!r.Has("model.type"))
            throw r.Error("model.type", "missing: say which model to build — model.type = machine (a simulated server, machine { } and a platform { }), network (machines = [ … ] on a switch) or phold (the kernel's benchmark)");
        var type = r.OneOf("model.type", "phold", "machine", "network");
        if (type == "machine")
        {
            if (lookahead != null) throw r.Error("sim.lookahead", "the machine model's lookahead is its shortest link; leave it auto");
            var spec = MachineConfig.Read(r);
            return (() => MachineModel.Create(spec), spec);
        }
        if (type == "network")
        {
            if (lookahead != null) throw r.Error("sim.lookahead", "the network model's lookahead is its shortest link between machines; leave it auto");
            var net = Composition.Network.NetworkReader.Read(r);
            return (() => new Composition.Network.NetworkModel(net), net.ProgramView());
        }
        if (!r.Has("sim.end-time") || r.Raw("sim.end-time") == "off")
            throw r.Error("sim.end-time", "PHOLD never ends by itself (every event schedules another): give a limit, e.g. sim.end-time = 5 ms");
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
        return (() => new PholdModel(p), null);
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
