using VirtCca.Cores.Vcpu;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Guests;

/// <summary>
/// KVM's stage-2 table of a normal VM: guest RAM pages become mapped on their first access (the fault
/// that KVM handles by mapping the memslot's host page), and stay mapped. The PE's MMU walks it to
/// translate the VM's accesses.
/// </summary>
public sealed class Stage2Table(GuestMemory memory) : IStage2
{
    private readonly HashSet<ulong> _mapped = new();
    private readonly Dictionary<ulong, ulong> _foreign = new(); // IPA page -> PA page KVM put there itself

    public long PagesMapped => _mapped.Count;

    public bool TryTranslate(ulong ipa, out ulong pa, out bool secure)
    {
        secure = false;
        if (_foreign.Count > 0 && _foreign.TryGetValue(Granule.Of(ipa), out var page)) { pa = page + (ipa & (Granule.Size - 1)); return true; }
        if (_mapped.Contains(Granule.Of(ipa))) { pa = memory.HostPageOf(ipa) + (ipa & (Granule.Size - 1)); return true; }
        pa = 0;
        return false;
    }

    /// <summary>Maps the RAM page holding <paramref name="ipa"/>; false if it is not RAM (the access is a device's).</summary>
    public bool Map(ulong ipa)
    {
        if (!memory.IsRam(ipa)) return false;
        _mapped.Add(Granule.Of(ipa));
        return true;
    }

    /// <summary>
    /// KVM maps any physical page it likes at <paramref name="ipa"/> (a malicious host; the security
    /// experiments): the VM's accesses there go to <paramref name="pa"/> with the normal world's rights.
    /// </summary>
    public void MapForeign(ulong ipa, ulong pa) => _foreign[Granule.Of(ipa)] = Granule.Of(pa);
    public void UnmapForeign(ulong ipa) => _foreign.Remove(Granule.Of(ipa));

    public void Clear() { _mapped.Clear(); _foreign.Clear(); }
}
