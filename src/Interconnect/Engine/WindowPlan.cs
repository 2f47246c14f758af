namespace VirtCca.Interconnect.Engine;

/// <summary>
/// How one run's windows are bounded, from the topology, the placement and the settings. Exact: a
/// window ends at the earliest time any partition could reach another — min over partitions of
/// (its next event + its shortest link to another partition) — so links inside a partition never
/// narrow it, and with no crossing link a window runs to the end. Lax: windows are the quantum wide
/// and messages between placement groups that would land inside one move to its end.
/// </summary>
public sealed class WindowPlan
{
    private WindowPlan(int[] partitionOf, long[] outgoing, CrossingLinks crossing, long quantum, long shiftBound)
    {
        PartitionOf = partitionOf; Outgoing = outgoing; Crossing = crossing; Quantum = quantum; ShiftBound = shiftBound;
    }

    /// <summary>Component id → partition (whole placement groups, see <see cref="Placement"/>).</summary>
    public int[] PartitionOf { get; }

    /// <summary>Per partition: its shortest link to another partition, capped by a configured lookahead (long.MaxValue: none).</summary>
    public long[] Outgoing { get; }

    public CrossingLinks Crossing { get; }

    /// <summary>Lax window width in picoseconds; 0 in exact mode.</summary>
    public long Quantum { get; }
    public bool Lax => Quantum > 0;

    /// <summary>Lax: the most one message can be moved (quantum − the shortest link between placement groups).</summary>
    public long ShiftBound { get; }

    public static WindowPlan For(Topology topology, KernelSettings settings, int partitions)
    {
        var partitionOf = Placement.PartitionOf(topology, partitions);
        var crossing = topology.Crossing(partitionOf, partitions);
        var outgoing = (long[])crossing.Outgoing.Clone();
        if (topology.ConfiguredLookahead is { } fixedWidth)
            for (int p = 0; p < partitions; p++) outgoing[p] = Math.Min(outgoing[p], fixedWidth.Picoseconds);
        long quantum = 0, bound = 0;
        if (settings.Quantum is { } q)
        {
            long l = topology.Lookahead.Picoseconds;
            if (q.Picoseconds < l && l != long.MaxValue)
                throw new SimulationException($"sim.quantum {q.Picoseconds} ps is smaller than the lookahead {l} ps; the quantum must be >= the lookahead");
            if (q.Picoseconds > l) { quantum = q.Picoseconds; bound = quantum - l; }
        }
        return new WindowPlan(partitionOf, outgoing, crossing, quantum, bound);
    }

    /// <summary>The end of a lax window that starts at <paramref name="start"/>.</summary>
    public long LaxEnd(long start) => Add(start, Quantum);

    /// <summary>The earliest time events from <paramref name="partition"/>, whose next event is at <paramref name="next"/>, can reach another partition.</summary>
    public long Reach(int partition, long next) => Add(next, Outgoing[partition]);

    public SyncReport Report(long shifted, long maxShift) => Lax
        ? new SyncReport("lax", Smallest, Quantum, ShiftBound, shifted, maxShift)
        : new SyncReport("exact", Smallest, null, 0, 0, 0);

    private long? Smallest => Crossing.Smallest == long.MaxValue ? null : Crossing.Smallest;

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
