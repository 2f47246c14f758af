namespace VirtCca.Interconnect;

public sealed partial class Topology
{
    /// <summary>Builds a topology; linear in components, pairs and set members (no per-pair cost for sets).</summary>
    public sealed partial class Builder
    {
        private readonly List<string> _names = new();
        private readonly List<int> _groups = new();
        private readonly Dictionary<long, long> _pairs = new();
        private readonly List<(string Name, int Hub, int[] Members, long Latency, bool BothWays)> _sets = new();
        private long _allToAll;

        public int Count => _names.Count;

        /// <summary>Adds a component; without a placement group it is a group of its own.</summary>
        public int Add(string name, int placementGroup = -1)
        {
            _names.Add(name);
            _groups.Add(placementGroup < 0 ? _names.Count - 1 : placementGroup);
            return _names.Count - 1;
        }

        /// <summary>Links every ordered pair of distinct components (all of them, including those added later) with one latency.</summary>
        public Builder AllToAll(SimTime latency) { _allToAll = latency.Picoseconds; return this; }

        public Builder Link(int a, int b, SimTime latency, bool bothWays = true)
        {
            AddPair(a, b, latency.Picoseconds);
            if (bothWays) AddPair(b, a, latency.Picoseconds);
            return this;
        }

        /// <summary>Links every ordered pair of distinct <paramref name="members"/> with one latency, at the cost of one entry per member.</summary>
        public Builder LinkAll(IEnumerable<int> members, SimTime latency, string? name = null)
        {
            _sets.Add((name ?? $"set {_sets.Count}", -1, members.ToArray(), latency.Picoseconds, true));
            return this;
        }

        /// <summary>Links each of <paramref name="members"/> to <paramref name="hub"/> and, unless <paramref name="bothWays"/> is false, the hub to each.</summary>
        public Builder LinkToHub(int hub, IEnumerable<int> members, SimTime latency, bool bothWays = true, string? name = null)
        {
            _sets.Add((name ?? $"set {_sets.Count}", hub, members.ToArray(), latency.Picoseconds, bothWays));
            return this;
        }

        private void AddPair(int a, int b, long latency)
        {
            long key = ((long)a << 32) | (uint)b;
            if (!_pairs.TryGetValue(key, out var old) || latency < old) _pairs[key] = latency;
        }

        /// <param name="lookahead">
        /// If given, the window width is fixed to it (never wider) and every link between two placement
        /// groups must be at least this long; otherwise the lookahead is the smallest such link.
        /// </param>
        public Topology Build(SimTime? lookahead = null)
        {
            int n = _names.Count;
            if (n == 0) throw new TopologyException("the topology has no components");
            if (lookahead is { Picoseconds: <= 0 } bad) throw new TopologyException($"lookahead {bad.Picoseconds} ps must be positive");
            var groups = _groups.ToArray();
            var names = _names.ToArray();
            long min = long.MaxValue;
            string minLink = "";
            void Candidate(long latency, int a, int b, string? set)
            {
                if (latency >= min) return;
                min = latency;
                minLink = $"{names[a]} -> {names[b]}{(set == null ? "" : $" (link set '{set}')")}";
            }

            foreach (var (key, lat) in _pairs)
            {
                int a = (int)(key >> 32), b = (int)(uint)key;
                if (a < 0 || a >= n || b < 0 || b >= n)
                    throw new TopologyException($"link {a}->{b} names a component that does not exist (0..{n - 1})");
                if (lat <= 0) throw new TopologyException($"link {names[a]} -> {names[b]} has latency {lat} ps; a link needs a positive latency");
                if (groups[a] != groups[b]) Candidate(lat, a, b, null);
            }

            var sets = new List<LinkSet>(_sets.Count + 1);
            long uniform = 0;
            if (_allToAll != 0)
            {
                if (_allToAll < 0) throw new TopologyException($"link latency {_allToAll} ps must be positive");
                if (n > 1)
                {
                    if (_pairs.Count == 0 && _sets.Count == 0) uniform = _allToAll;
                    sets.Add(LinkSet.Everything(n, _allToAll));
                }
            }
            foreach (var s in _sets) sets.Add(Check(s, n, names));
            foreach (var s in sets) InterGroup(s, groups, Candidate);

            if (_pairs.Count == 0 && sets.Count == 0 && n > 1) throw new TopologyException("the topology has no links");
            if (lookahead is { } la && min < la.Picoseconds)
                throw new TopologyException(
                    $"link {minLink} has latency {min} ps, shorter than the lookahead {la.Picoseconds} ps: a message over it could arrive inside a window that is already running");

            var (setStart, setIds) = Memberships(n, sets);
            var effective = lookahead ?? new SimTime(min);
            return new Topology(n, names, groups, _pairs.Count == 0 ? null : new(_pairs), sets.ToArray(), setStart, setIds,
                uniform, effective, lookahead, lookahead != null ? "" : minLink);
        }

        private static LinkSet Check((string Name, int Hub, int[] Members, long Latency, bool BothWays) s, int n, string[] names)
        {
            if (s.Latency <= 0) throw new TopologyException($"link set '{s.Name}' has latency {s.Latency} ps; a link needs a positive latency");
            if (s.Hub >= n || (s.Hub < 0 && s.Hub != -1) || s.Members.Any(m => m < 0 || m >= n))
                throw new TopologyException($"link set '{s.Name}' names a component that does not exist (0..{n - 1})");
            var members = s.Members;
            bool sorted = true;
            for (int i = 1; i < members.Length && sorted; i++) sorted = members[i] > members[i - 1];
            if (!sorted) members = members.Distinct().Order().ToArray();
            if (s.Hub >= 0 && Array.BinarySearch(members, s.Hub) >= 0) members = members.Where(m => m != s.Hub).ToArray();
            return new LinkSet(s.Name, s.Hub, members, s.Latency, s.BothWays);
        }

        /// <summary>Reports the set's latency if it links two placement groups (naming one such pair).</summary>
        private static void InterGroup(LinkSet s, int[] groups, Action<long, int, int, string?> candidate)
        {
            string? name = s.Name == "all-to-all" ? null : s.Name;
            if (s.Hub >= 0)
            {
                foreach (int m in s.Members)
                    if (groups[m] != groups[s.Hub]) { candidate(s.Latency, m, s.Hub, name); return; }
                return;
            }
            for (int i = 1; i < s.Members.Length; i++)
                if (groups[s.Members[i]] != groups[s.Members[0]]) { candidate(s.Latency, s.Members[0], s.Members[i], name); return; }
        }

        /// <summary>Each component's sets as one array (CSR): O(total membership), nothing per pair.</summary>
        private static (int[] Start, int[] Ids) Memberships(int n, List<LinkSet> sets)
        {
            var start = new int[n + 1];
            foreach (var s in sets)
            {
                if (s.Hub >= 0) start[s.Hub + 1]++;
                foreach (int m in s.Members) start[m + 1]++;
            }
            for (int i = 0; i < n; i++) start[i + 1] += start[i];
            var ids = new int[start[n]];
            var fill = (int[])start.Clone();
            for (int k = 0; k < sets.Count; k++)
            {
                var s = sets[k];
                if (s.Hub >= 0) ids[fill[s.Hub]++] = k;
                foreach (int m in s.Members) ids[fill[m]++] = k;
            }
            return (start, ids);
        }
    }
}
