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
    private readonly SortedSet<ulong> _populating = new();

    public IReadOnlyList<ulong> Delegated => _delegated;
    public IReadOnlyList<(int Level, ulong Ipa, ulong Granule)> Rtts => _rtts;
    public IReadOnlyCollection<ulong> Populated => _populated;
    /// <summary>Pages populated after creation (stage-2 faults on unbacked RAM).</summary>
    public long PopulatedOnDemand { get; private set; }

    public void AddDelegated(ulong granule) => _delegated.Add(granule);
    public void AddRtt(int level, ulong ipa, ulong granule) => _rtts.Add((level, ipa, granule));
    public bool IsPopulated(ulong ipa) => _populated.Contains(ipa);

    /// <summary>Claims an on-demand population of <paramref name="ipa"/>; false if another vCPU's fault handler is already at it (its RMI calls take time).</summary>
    public bool StartPopulating(ulong ipa) => _populating.Add(ipa);

    public void AddPopulated(ulong ipa, bool onDemand)
    {
        if (!_populated.Add(ipa)) throw new InvalidOperationException($"IPA 0x{ipa:X} is populated twice");
        _populating.Remove(ipa);
        if (onDemand) PopulatedOnDemand++;
    }

    /// <summary>Forgets everything (the realm was destroyed).</summary>
    public void Clear()
    {
        _delegated.Clear(); _rtts.Clear(); _populated.Clear(); _populating.Clear();
        PopulatedOnDemand = 0;
    }
}
