using VirtCca.Devices.Memory;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;

namespace VirtCca.Launcher.Composition.Io;

/// <summary>
/// A normal VM's RAM as its memslot maps it — IPA [0, <paramref name="bytes"/>) at host PA
/// <paramref name="ramBase"/> + IPA — which the guest's driver and the host's backend both use.
/// </summary>
internal sealed class VmRamView(PhysicalMemory memory, ulong ramBase, ulong bytes, string name) : IGuestMemory
{
    public void Read(ulong gpa, Span<byte> data) => memory.Read(Pa(gpa, data.Length), data);
    public void Write(ulong gpa, ReadOnlySpan<byte> data) => memory.Write(Pa(gpa, data.Length), data);

    private ulong Pa(ulong gpa, int length) => gpa + (ulong)length <= bytes ? ramBase + gpa : throw new GuestMemoryFault(gpa, name);
}

/// <summary>
/// A realm's memory through its RTT, as the MMU walks it (<see cref="Rmm.Translate"/>), page by page:
/// the protected view is what the realm's driver reads and writes (delegated granules, in the secure
/// pool); the shared view is the unprotected mappings KVM made, which the host's backend reads and
/// writes. An address the view does not map faults (<see cref="GuestMemoryFault"/>): the host cannot
/// reach a protected page through the shared view, nor the realm a host page through its protected one.
/// </summary>
internal sealed class RealmView(Rmm rmm, KvmGuest guest, PhysicalMemory memory, bool shared) : IGuestMemory
{
    private const ulong Page = PhysicalMemory.PageSize;
    private readonly string _name = $"{guest.Name}'s {(shared ? "shared" : "protected")} memory";

    public void Read(ulong gpa, Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = (int)Math.Min((ulong)data.Length, Page - gpa % Page);
            memory.Read(Pa(gpa), data[..n]);
            data = data[n..]; gpa += (ulong)n;
        }
    }

    public void Write(ulong gpa, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = (int)Math.Min((ulong)data.Length, Page - gpa % Page);
            memory.Write(Pa(gpa), data[..n]);
            data = data[n..]; gpa += (ulong)n;
        }
    }

    private ulong Pa(ulong gpa)
    {
        // The walk's result per page, as a TLB keeps it: the mappings of a realm's device memory do not
        // change while it lives (only on-demand population adds pages, which a miss walks again).
        var realm = guest.Realm;
        if (!ReferenceEquals(realm, _cachedFor)) { _tlb.Clear(); _cachedFor = realm; }
        ulong page = gpa / Page;
        if (_tlb.TryGetValue(page, out ulong paPage)) return paPage * Page + gpa % Page;
        if (realm != null && rmm.Translate(realm.Rd, gpa, out ulong pa, out bool secure) && secure != shared)
        {
            _tlb[page] = pa / Page;
            return pa;
        }
        throw new GuestMemoryFault(gpa, _name);
    }

    private readonly Dictionary<ulong, ulong> _tlb = new();
    private object? _cachedFor;
}
