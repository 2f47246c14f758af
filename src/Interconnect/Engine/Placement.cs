namespace VirtCca.Interconnect.Engine;

/// <summary>Maps components to partitions: whole placement groups, in id order, in contiguous balanced blocks.</summary>
internal static class Placement
{
    public static int[] PartitionOf(Topology topology, int partitions)
    {
        if (partitions < 1) throw new SimulationException($"partitions must be at least 1 (got {partitions})");
        int n = topology.Count;
        var groupPartition = new Dictionary<int, int>();
        var result = new int[n];
        int placed = 0;
        for (int id = 0; id < n; id++)
        {
            int g = topology.PlacementGroups[id];
            if (!groupPartition.TryGetValue(g, out int p))
            {
                p = (int)((long)placed * partitions / n);
                groupPartition[g] = p;
            }
            result[id] = p;
            placed++;
        }
        return result;
    }
}
