namespace VirtCca.Interconnect;

/// <summary>
/// Links given as a set instead of pair by pair: every ordered pair of distinct members
/// (<see cref="Hub"/> &lt; 0), or each member to the hub and, with <see cref="BothWays"/>, back.
/// </summary>
internal sealed class LinkSet(string name, int hub, int[] members, long latency, bool bothWays)
{
    public string Name { get; } = name;
    public int Hub { get; } = hub;
    /// <summary>Ascending, distinct, without the hub.</summary>
    public int[] Members { get; } = members;
    public long Latency { get; } = latency;
    public bool BothWays { get; } = bothWays;

    /// <summary>Whether this set links src→dst, given that src is in it and whether dst is.</summary>
    public bool Links(int src, int dst, bool dstInSet)
    {
        if (src == dst || !dstInSet) return false;
        if (Hub < 0) return true;
        return dst == Hub || (src == Hub && BothWays);
    }

    public static LinkSet Everything(int count, long latency)
    {
        var all = new int[count];
        for (int i = 0; i < count; i++) all[i] = i;
        return new LinkSet("all-to-all", -1, all, latency, true);
    }
}
