using VirtCca.Kvm.Guests;

namespace VirtCca.Kvm.Attacks;

/// <summary>
/// What the security experiment may see of the platform that KVM's code cannot: the model's check of
/// a normal-world CPU access by physical address (the granule table that stands where RME has its GPT),
/// where a realm's pages really live, whether a REC is running, and the realm snapshots that prove an
/// attack changed nothing. An attack uses it to aim as a well-informed host would.
/// </summary>
public interface IPlatformProbe
{
    bool HasTmm { get; }

    /// <summary>The firmware's secure pool: [Base, Top) behind a secure-only TZASC region.</summary>
    (ulong Base, ulong Top) SecurePool { get; }

    /// <summary>A normal-world CPU load by physical address: null when it was done, else why it was refused.</summary>
    string? HostRead(ulong pa, Span<byte> data);

    /// <summary>A normal-world CPU store by physical address: null when it was done, else why it was refused.</summary>
    string? HostWrite(ulong pa, ReadOnlySpan<byte> data);

    /// <summary>The protected pages of the guest's realm: IPA, the granule the ABI names, the pool granule behind it.</summary>
    IReadOnlyList<(ulong Ipa, ulong Granule, ulong Backing)> DataPages(KvmGuest guest);

    /// <summary>Whether the REC at <paramref name="rec"/> is running on a CPU now.</summary>
    bool RecRunning(ulong rec);

    /// <summary>What the realm's own load of <paramref name="length"/> bytes at <paramref name="ipa"/> returns (zeros where nothing is mapped).</summary>
    byte[] ReadAsRealm(KvmGuest guest, ulong ipa, int length);

    /// <summary>The guest's realm now; null for a normal VM or a realm not yet created.</summary>
    RealmSnapshot? Snapshot(KvmGuest guest);

    /// <summary>Refusal counters, for saying how something was refused.</summary>
    long TzascRefusedAccesses { get; }
    long TzascRefusedProgramming { get; }
    long SmmuRefusedSecureConfiguration { get; }
    int SmmuFaults { get; }
}
