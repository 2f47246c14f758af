namespace VirtCca.Interconnect;

/// <summary>
/// Components (ids 0..Count-1, given by the model, never by creation order), the links between them
/// with their latencies, and the placement group of each component. The lookahead is the smallest
/// link latency; a configured lookahead larger than some link is rejected, since a message over that
/// link could land inside a window that is already running.
/// </summary>
public sealed class Topology
{
    private readonly long _uniformLatency;                 // > 0 when every pair is linked with one latency
    private readonly Dictionary<long, long>? _links;       // key = src << 32 | dst

    public int Count { get; }
    public IReadOnlyList<string> Names { get; }

    /// <summary>Smallest link latency: the width of a conservative window.</summary>
    public SimTime Lookahead { get; }

    /// <summary>Components with the same placement group always share a partition (e.g. the parts of one machine).</summary>
    public IReadOnlyList<int> PlacementGroups { get; }

    private Topology(int count, IReadOnlyList<string> names, long uniformLatency, Dictionary<long, long>? links,
        IReadOnlyList<int> groups, SimTime lookahead)
    {
        Count = count; Names = names; _uniformLatency = uniformLatency; _links = links;
        PlacementGroups = groups; Lookahead = lookahead;
    }

    /// <summary>Latency of the link src→dst in picoseconds, or -1 if there is none.</summary>
    public long LatencyOf(int src, int dst)
    {
        if (_uniformLatency > 0) return _uniformLatency;
        return _links!.TryGetValue(((long)src << 32) | (uint)dst, out var l) ? l : -1;
    }

    public sealed class Builder
    {
        private readonly List<string> _names = new();
        private readonly List<int> _groups = new();
        private readonly Dictionary<long, long> _links = new();
        private long _uniform;

        public int Add(string name, int placementGroup = -1)
        {
            _names.Add(name);
            _groups.Add(placementGroup < 0 ? _names.Count - 1 : placementGroup);
            return _names.Count - 1;
        }

        /// <summary>Links every ordered pair of distinct components with one latency.</summary>
        public Builder AllToAll(SimTime latency) { _uniform = latency.Picoseconds; return this; }

        public Builder Link(int a, int b, SimTime latency, bool bothWays = true)
        {
            _links[((long)a << 32) | (uint)b] = latency.Picoseconds;
            if (bothWays) _links[((long)b << 32) | (uint)a] = latency.Picoseconds;
            return this;
        }

        /// <param name="lookahead">If given, every link must be at least this long; otherwise the smallest link is used.</param>
        public Topology Build(SimTime? lookahead = null)
        {
            if (_names.Count == 0) throw new TopologyException("the topology has no components");
            long min = long.MaxValue; string minLink = "";
            if (_uniform != 0)
            {
                if (_links.Count > 0) throw new TopologyException("a topology is either all-to-all or explicit links, not both");
                if (_uniform < 0) throw new TopologyException($"link latency {_uniform} ps must be positive");
                min = _uniform; minLink = "all-to-all";
            }
            foreach (var (key, lat) in _links)
            {
                int a = (int)(key >> 32), b = (int)(uint)key;
                if (a < 0 || a >= _names.Count || b < 0 || b >= _names.Count)
                    throw new TopologyException($"link {a}->{b} names a component that does not exist (0..{_names.Count - 1})");
                string name = $"{_names[a]} -> {_names[b]}";
                if (lat <= 0) throw new TopologyException($"link {name} has latency {lat} ps; a link needs a positive latency");
                if (lat < min) { min = lat; minLink = name; }
                if (lookahead is { } la && lat < la.Picoseconds)
                    throw new TopologyException(
                        $"link {name} has latency {lat} ps, shorter than the lookahead {la.Picoseconds} ps: a message over it could arrive inside a window that is already running");
            }
            if (min == long.MaxValue)
            {
                if (_names.Count > 1) throw new TopologyException("the topology has no links");
                min = lookahead?.Picoseconds ?? 1_000_000; // a lone component: any window width is safe
            }
            if (lookahead is { } l && _uniform > 0 && _uniform < l.Picoseconds)
                throw new TopologyException(
                    $"link {minLink} has latency {_uniform} ps, shorter than the lookahead {l.Picoseconds} ps: a message over it could arrive inside a window that is already running");
            var la2 = lookahead ?? new SimTime(min);
            if (la2.Picoseconds <= 0) throw new TopologyException($"lookahead {la2.Picoseconds} ps must be positive");
            return new Topology(_names.Count, _names.ToArray(), _uniform, _uniform > 0 ? null : new(_links), _groups.ToArray(), la2);
        }
    }
}
