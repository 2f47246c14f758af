namespace VirtCca.Interconnect;

/// <summary>How a run is executed. None of these may change the results, except <see cref="Quantum"/> (lax mode).</summary>
public sealed record KernelSettings
{
    public ulong Seed { get; init; } = 1;
    /// <summary>Events at or after this time are not delivered.</summary>
    public SimTime EndTime { get; init; } = SimTime.MaxValue;
    /// <summary>Window width when larger than the lookahead (lax synchronisation); null: exact conservative windows.</summary>
    public SimTime? Quantum { get; init; }
    /// <summary>OS threads that run partitions in this process.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Partitions in this process (the unit of parallelism).</summary>
    public int Partitions { get; init; } = 1;
    /// <summary>Run each component as an Akka actor on its partition's dispatcher (the product's shape); off runs them as plain objects.</summary>
    public bool ComponentActors { get; init; } = true;
    /// <summary>A window whose predecessor delivered fewer events than this runs on one thread; splitting it costs more than it saves.</summary>
    public int ParallelThreshold { get; init; } = 256;
}

/// <summary>A model: the topology and the code of each component. Every node builds it alike from the same config.</summary>
public interface ISimulationModel
{
    string Name { get; }
    Topology Topology { get; }
    Component CreateComponent(int id);
}

/// <summary>What a run produced. <see cref="HostSeconds"/> times the simulation itself (components started to last
/// window), not actor-system start-up or shutdown; it is measured, never used to decide anything.</summary>
public sealed record RunResult(
    string Engine,
    string Digest,
    long Events,
    long Windows,
    SimTime LastEventTime,
    int Partitions,
    int Nodes,
    double HostSeconds)
{
    /// <summary>The model's own numbers (<see cref="IReportsMetrics"/>), summed over nodes in a distributed run; null when it reports none.</summary>
    public IReadOnlyList<KeyValuePair<string, double>>? Metrics { get; init; }

    /// <summary>True when the run stopped at <see cref="KernelSettings.EndTime"/> with events still to deliver; false when nothing was left to happen.</summary>
    public bool EventsPending { get; init; }
}

/// <summary>Progress callback data; emitted every few thousand windows.</summary>
public readonly record struct RunProgress(long Windows, long Events, SimTime Now);
