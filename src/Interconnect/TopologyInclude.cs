namespace VirtCca.Interconnect;

public sealed partial class Topology
{
    public sealed partial class Builder
    {
        /// <summary>
        /// Adds every component of a built topology after the ones already here — its ids shifted by
        /// the count before (returned), its names prefixed, its placement groups kept apart from every
        /// other's — and its links, pairs and sets alike, with their ids shifted. A model made of
        /// sub-models (machines on a network) builds each on its own and includes it.
        /// </summary>
        public int Include(Topology sub, string prefix)
        {
            int offset = _names.Count;
            for (int id = 0; id < sub.Count; id++)
            {
                _names.Add(prefix + sub.Names[id]);
                _groups.Add(offset + sub._groups[id]);
            }
            if (sub._uniform > 0) throw new TopologyException($"including '{prefix}': a topology linked all-to-all cannot be included");
            if (sub._pairs != null)
                foreach (var (key, latency) in sub._pairs)
                    AddPair((int)(key >> 32) + offset, (int)(uint)key + offset, latency);
            foreach (var s in sub._sets)
                _sets.Add((prefix + s.Name, s.Hub < 0 ? -1 : s.Hub + offset, s.Members.Select(m => m + offset).ToArray(), s.Latency, s.BothWays));
            return offset;
        }
    }
}
