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
    /// <summary>Where Protobuf payloads are encoded: only where events cross a process, or for every event (a check that both give one digest).</summary>
    public PayloadCodec PayloadCodec { get; init; } = PayloadCodec.CrossProcess;
    /// <summary>Events after which a partition that reaches no other may pause its window (for progress and cancellation).</summary>
    internal long PauseEvents { get; init; } = 1 << 20;
}

/// <summary>When message payloads go through Protobuf encoding and parsing.</summary>
public enum PayloadCodec
{
    /// <summary>Only in the batches between processes; in one process the object is delivered.</summary>
    CrossProcess,
    /// <summary>Before every delivery (and byte payloads copied), as if every event crossed a process.</summary>
    Always,
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

    /// <summary>How windows were bounded and, in lax mode, how far messages were moved.</summary>
    public SyncReport Sync { get; init; } = SyncReport.Sequential;
}

/// <summary>
/// The synchronisation a run used. <see cref="Lookahead"/>: the smallest latency of a link that
/// crossed partitions in this run (null: none did, or the sequential engine). In lax mode,
/// <see cref="ShiftBound"/> is the most any one message can have been moved later (quantum − the
/// smallest link between placement groups), and <see cref="Shifted"/>/<see cref="MaxShift"/> what was
/// observed: messages moved to a window's end and the largest move, in picoseconds.
/// </summary>
public sealed record SyncReport(string Mode, long? Lookahead, long? Quantum, long ShiftBound, long Shifted, long MaxShift)
{
    public static readonly SyncReport Sequential = new("exact", null, null, 0, 0, 0);
    public bool IsLax => Mode == "lax";
}

/// <summary>Progress callback data; emitted every few thousand windows.</summary>
public readonly record struct RunProgress(long Windows, long Events, SimTime Now);
