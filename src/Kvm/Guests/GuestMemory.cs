using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Guests;

/// <summary>
/// Where a guest's memory comes from in the host's DRAM (KVM's memslot and the VMM's allocations):
/// guest RAM at IPA [0, <see cref="RamBytes"/>) is backed by host PAs [<see cref="RamBase"/>, …) page
/// for page, and KVM's own structures for the guest (a realm's RD, RTTs, RECs, run pages, the pages
/// of RMI parameters) come from a metadata range after it, in the order KVM asks for them.
/// </summary>
public sealed class GuestMemory(ulong ramBase, ulong ramBytes, ulong metadataBase, ulong metadataBytes)
{
    private ulong _nextMetadata = metadataBase;

    public ulong RamBase { get; } = ramBase;
    public ulong RamBytes { get; } = ramBytes;
    public ulong MetadataBase { get; } = metadataBase;
    public ulong MetadataBytes { get; } = metadataBytes;
    /// <summary>First host PA past everything this guest may use.</summary>
    public ulong End => MetadataBase + MetadataBytes;
    public long MetadataGranulesUsed => (long)((_nextMetadata - MetadataBase) / Granule.Size);

    public bool IsRam(ulong ipa) => ipa < RamBytes;

    /// <summary>Host memory a realm shares with the host for its devices (rings, bounce pool): its base (2 MiB aligned) and size; 0: none.</summary>
    public ulong SharedBase { get; init; }
    public ulong SharedBytes { get; init; }

    /// <summary>The host page that backs guest RAM at <paramref name="ipa"/>.</summary>
    public ulong HostPageOf(ulong ipa)
    {
        if (!IsRam(ipa)) throw new ArgumentOutOfRangeException(nameof(ipa), $"IPA 0x{ipa:X} is not guest RAM (0..0x{RamBytes:X})");
        return RamBase + Granule.Of(ipa);
    }

    /// <summary>A fresh host granule for KVM's own use (bump allocation: deterministic, never reused within a guest's life).</summary>
    public ulong AllocateMetadata()
    {
        if (_nextMetadata >= End)
            throw new InvalidOperationException($"the guest's host metadata range [0x{MetadataBase:X}, 0x{End:X}) is exhausted");
        var g = _nextMetadata;
        _nextMetadata += Granule.Size;
        return g;
    }

    /// <summary>Starts allocating metadata from the beginning again (the guest was torn down and is being recreated).</summary>
    public void ResetMetadata() => _nextMetadata = MetadataBase;
}
