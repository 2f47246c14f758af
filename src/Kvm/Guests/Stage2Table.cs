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

    public long PagesMapped => _mapped.Count;

    public bool TryTranslate(ulong ipa, out ulong pa, out bool secure)
    {
        secure = false;
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

    public void Clear() => _mapped.Clear();
}
