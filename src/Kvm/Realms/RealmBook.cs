namespace VirtCca.Kvm.Realms;

/// <summary>
/// KVM's record of what it gave one realm, so it can take it all back: every granule it delegated (in
/// order), every RTT it created (level, the IPA it covers, its granule), every page it populated with
/// DATA_CREATE(_UNKNOWN). Creation writes it, the exit handlers add to it (map on demand, new tables for
/// a RIPAS change), teardown reads it once every vCPU has stopped.
/// </summary>
public sealed class RealmBook
{
    private readonly List<ulong> _delegated = new();
    private readonly List<(int Level, ulong Ipa, ulong Granule)> _rtts = new();
    private readonly SortedSet<ulong> _populated = new();
    private readonly List<(ulong Ipa, int Level)> _unprotected = new();
    private readonly HashSet<ulong> _populating = new();

    public IReadOnlyList<ulong> Delegated => _delegated;
    public IReadOnlyList<(int Level, ulong Ipa, ulong Granule)> Rtts => _rtts;
    public IReadOnlyCollection<ulong> Populated => _populated;
    /// <summary>Host memory KVM mapped into the unprotected half (RMI_RTT_MAP_UNPROTECTED), by IPA and level.</summary>
    public IReadOnlyList<(ulong Ipa, int Level)> Unprotected => _unprotected;
    /// <summary>Pages populated after creation (stage-2 faults on unbacked RAM), over the guest's whole life (resets included).</summary>
    public long PopulatedOnDemand { get; private set; }

    public void AddDelegated(ulong granule) => _delegated.Add(granule);
    public void AddRtt(int level, ulong ipa, ulong granule) => _rtts.Add((level, ipa, granule));
    public bool IsPopulated(ulong ipa) => _populated.Contains(ipa);
    public void AddUnprotected(ulong ipa, int level) => _unprotected.Add((ipa, level));

    /// <summary>
    /// Claims a page for population on demand; false if it is populated or another vCPU's fault is
    /// populating it (KVM's MMU lock: the second faulter just runs its access again).
    /// </summary>
    public bool BeginPopulating(ulong ipa) => !_populated.Contains(ipa) && _populating.Add(ipa);

    public void AddPopulated(ulong ipa, bool onDemand)
    {
        _populating.Remove(ipa);
        if (!_populated.Add(ipa)) throw new InvalidOperationException($"IPA 0x{ipa:X} is populated twice");
        if (onDemand) PopulatedOnDemand++;
    }

    /// <summary>Forgets what the destroyed realm held (the count of pages populated on demand stays).</summary>
    public void Clear()
    {
        _delegated.Clear(); _rtts.Clear(); _populated.Clear(); _populating.Clear(); _unprotected.Clear();
    }
}
