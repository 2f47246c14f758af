namespace VirtCca.Interconnect;

/// <summary>
/// Components (ids 0..Count-1, given by the model, never by creation order), the links between them
/// with their latencies, and the placement group of each component. Links are single pairs
/// (<see cref="Builder.Link"/>) or link sets that cost nothing per pair: every pair among some
/// components (<see cref="Builder.LinkAll"/>, <see cref="Builder.AllToAll"/>) and each of some
/// components to a hub (<see cref="Builder.LinkToHub"/>). A pair covered more than once has the
/// smallest of its latencies.
/// <para>
/// Components of one placement group always share a partition, so only links between groups can
/// cross partitions and bound the kernel's windows; links inside a group may be as short as the
/// model likes. <see cref="Lookahead"/> is the smallest link between groups (or the configured one).
/// </para>
/// </summary>
public sealed partial class Topology
{
    private readonly Dictionary<long, long>? _pairs;   // key = src << 32 | dst
    private readonly LinkSet[] _sets;
    private readonly int[] _setStart;                  // component id -> first index into _setIds (CSR)
    private readonly int[] _setIds;                    // the sets each component is in, ascending
    private readonly long _uniform;                    // > 0: one set links every pair and nothing else exists

    public int Count { get; }
    public IReadOnlyList<string> Names { get; }

    /// <summary>Components with the same placement group always share a partition (e.g. the parts of one machine).</summary>
    public IReadOnlyList<int> PlacementGroups => _groups;
    private readonly int[] _groups;

    /// <summary>
    /// The configured lookahead, or else the smallest latency of a link between two placement groups —
    /// the narrowest window any placement can need; <see cref="SimTime.MaxValue"/> when no link joins
    /// two groups. A run's windows are bounded by the links that cross its partitions, never below this.
    /// </summary>
    public SimTime Lookahead { get; }

    /// <summary>The lookahead the model fixed (windows never wider), or null for auto.</summary>
    public SimTime? ConfiguredLookahead { get; }

    /// <summary>The link that sets <see cref="Lookahead"/> when it is not configured, e.g. "pe0 -> gic"; empty when none.</summary>
    public string LookaheadLink { get; }

    private Topology(int count, string[] names, int[] groups, Dictionary<long, long>? pairs, LinkSet[] sets,
        int[] setStart, int[] setIds, long uniform, SimTime lookahead, SimTime? configured, string lookaheadLink)
    {
        Count = count; Names = names; _groups = groups; _pairs = pairs; _sets = sets;
        _setStart = setStart; _setIds = setIds; _uniform = uniform;
        Lookahead = lookahead; ConfiguredLookahead = configured; LookaheadLink = lookaheadLink;
    }

    /// <summary>Latency of the link src→dst in picoseconds, or -1 if there is none.</summary>
    public long LatencyOf(int src, int dst)
    {
        if (_uniform > 0) return src != dst ? _uniform : -1;
        long best = long.MaxValue;
        if (_pairs != null && _pairs.TryGetValue(((long)src << 32) | (uint)dst, out var l)) best = l;
        int end = _setStart[src + 1];
        for (int i = _setStart[src]; i < end; i++)
        {
            var s = _sets[_setIds[i]];
            if (s.Latency < best && s.Links(src, dst, InSet(dst, _setIds[i]))) best = s.Latency;
        }
        return best == long.MaxValue ? -1 : best;
    }

    private bool InSet(int id, int set)
    {
        int end = _setStart[id + 1];
        for (int i = _setStart[id]; i < end; i++)
            if (_setIds[i] == set) return true;
        return false;
    }

    /// <summary>
    /// For a placement (component id → partition): per partition, the smallest latency of a link from
    /// one of its components to a component of another partition (<see cref="long.MaxValue"/> when
    /// none), and the smallest of all with the link's name. Linear in components, pairs and set members.
    /// </summary>
    public CrossingLinks Crossing(int[] partitionOf, int partitions)
    {
        var outgoing = new long[partitions];
        Array.Fill(outgoing, long.MaxValue);
        long min = long.MaxValue;
        string name = "";
        void Note(int from, int a, int b, long latency)
        {
            if (latency < outgoing[from]) outgoing[from] = latency;
            if (latency < min) { min = latency; name = $"{Names[a]} -> {Names[b]}"; }
        }
        if (_pairs != null)
            foreach (var (key, lat) in _pairs)
            {
                int a = (int)(key >> 32), b = (int)(uint)key;
                if (partitionOf[a] != partitionOf[b]) Note(partitionOf[a], a, b, lat);
            }
        var seen = new int[partitions];
        int stamp = 0;
        foreach (var s in _sets)
        {
            if (s.Hub >= 0)
            {
                int hp = partitionOf[s.Hub];
                foreach (int m in s.Members)
                {
                    if (partitionOf[m] == hp) continue;
                    Note(partitionOf[m], m, s.Hub, s.Latency);
                    if (s.BothWays) Note(hp, s.Hub, m, s.Latency);
                }
                continue;
            }
            // Every member of a partition that holds some but not all of the set's members links out.
            stamp++;
            int first = -1, distinct = 0;
            foreach (int m in s.Members)
                if (seen[partitionOf[m]] != stamp) { seen[partitionOf[m]] = stamp; distinct++; if (first < 0) first = m; }
            if (distinct < 2) continue;
            stamp++;
            foreach (int m in s.Members)
            {
                int p = partitionOf[m];
                if (seen[p] == stamp) continue;
                seen[p] = stamp;
                int other = s.Members.First(x => partitionOf[x] != p);
                Note(p, m, other, s.Latency);
            }
        }
        return new CrossingLinks(outgoing, min, name);
    }
}

/// <summary>The links that cross partitions under one placement (see <see cref="Topology.Crossing"/>).</summary>
public sealed record CrossingLinks(long[] Outgoing, long Smallest, string SmallestLink);
