namespace VirtCca.Interconnect.Engine;

/// <summary>
/// Maps components to partitions: whole placement groups, taken in the order of their first
/// component's id, cut into contiguous blocks of about equal numbers of components; a group goes to
/// the block its middle falls in. Linear in the number of components; it depends on the topology and
/// the partition count alone.
/// </summary>
internal static class Placement
{
    public static int[] PartitionOf(Topology topology, int partitions)
    {
        if (partitions < 1) throw new SimulationException($"partitions must be at least 1 (got {partitions})");
        int n = topology.Count;
        var groups = topology.PlacementGroups;
        var index = new Dictionary<int, int>();      // group -> its rank by first component
        var rankOf = new int[n];
        var sizes = new List<int>();
        for (int id = 0; id < n; id++)
        {
            if (!index.TryGetValue(groups[id], out int rank))
            {
                index[groups[id]] = rank = sizes.Count;
                sizes.Add(0);
            }
            sizes[rank]++;
            rankOf[id] = rank;
        }
        var partitionOfRank = new int[sizes.Count];
        long before = 0;
        for (int rank = 0; rank < sizes.Count; rank++)
        {
            // By the group's middle, not its first component: a big group that starts just before a
            // block boundary but lies mostly past it goes to the next block (datacenter.conf: 5 of 8
            // servers on one partition of 2 by their starts, 4 by their middles).
            partitionOfRank[rank] = (int)((2 * before + sizes[rank]) * partitions / (2L * n));
            before += sizes[rank];
        }
        var result = new int[n];
        for (int id = 0; id < n; id++) result[id] = partitionOfRank[rankOf[id]];
        return result;
    }
}
