using VirtCca.Tmm.Memory;

namespace VirtCca.Tmm.Granules;

/// <summary>
/// The state of every granule of delegable DRAM, and for delegated ones the pool granule that backs
/// them. A granule with no entry is UNDELEGATED; only delegated granules cost memory here.
/// </summary>
public sealed class GranuleTable(ulong dramBase, ulong dramSize)
{
    public const ulong GranuleSize = 4096;
    private readonly Dictionary<ulong, (GranuleState State, ulong Secure)> _entries = new();

    public bool IsAligned(ulong pa) => pa % GranuleSize == 0;
    public bool InDram(ulong pa) => pa >= dramBase && pa - dramBase < dramSize;

    public GranuleState StateOf(ulong pa) => _entries.TryGetValue(pa, out var e) ? e.State : GranuleState.Undelegated;

    public ulong SecureOf(ulong pa) => _entries.TryGetValue(pa, out var e) ? e.Secure
        : throw new InvalidOperationException($"granule 0x{pa:X} is not delegated");

    /// <summary>A granule argument is acceptable when aligned, in DRAM and in the expected state (x_align, x_bound, x_state).</summary>
    public bool Is(ulong pa, GranuleState expected) => IsAligned(pa) && InDram(pa) && StateOf(pa) == expected;

    public void Delegate(ulong pa, ulong secure) => _entries[pa] = (GranuleState.Delegated, secure);

    public ulong Undelegate(ulong pa)
    {
        var secure = SecureOf(pa);
        _entries.Remove(pa);
        return secure;
    }

    public void Set(ulong pa, GranuleState state)
    {
        if (state == GranuleState.Undelegated) throw new ArgumentException("use Undelegate", nameof(state));
        _entries[pa] = (state, SecureOf(pa));
    }

    public IEnumerable<(ulong Pa, GranuleState State)> Delegated => _entries.Select(e => (e.Key, e.Value.State));
}
