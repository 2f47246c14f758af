namespace VirtCca.Kvm.Guests;

/// <summary>Who emulates a device register.</summary>
public enum IoHandler
{
    /// <summary>The VMM in user space (QEMU): the exit goes up to it and back (kvm.mmio_user_rt).</summary>
    User,
    /// <summary>KVM in the kernel (the vGIC, an ioeventfd doorbell): kvm.mmio_kernel_rt.</summary>
    Kernel,
}

/// <summary>
/// KVM's MMIO bus for one guest: address ranges KVM emulates in the kernel (registered devices and
/// ioeventfds); every other device address goes to the VMM, as an unclaimed access does in KVM.
/// </summary>
public sealed class IoBus
{
    private readonly List<(ulong Base, ulong Top, IoHandler Handler, int Backend)> _ranges = new();

    /// <summary>Claims [<paramref name="base"/>, <paramref name="top"/>) for a handler; an ioeventfd names the backend it signals.</summary>
    public IoBus Register(ulong @base, ulong top, IoHandler handler, int backend = -1)
    {
        if (top <= @base) throw new ArgumentException($"empty MMIO range [0x{@base:X}, 0x{top:X})");
        foreach (var r in _ranges)
            if (@base < r.Top && r.Base < top) throw new ArgumentException($"MMIO range [0x{@base:X}, 0x{top:X}) overlaps [0x{r.Base:X}, 0x{r.Top:X})");
        _ranges.Add((@base, top, handler, backend));
        return this;
    }

    /// <summary>Who handles an access at <paramref name="address"/> (the guest's device address, without a realm's unprotected bit).</summary>
    public (IoHandler Handler, int Backend) Find(ulong address)
    {
        foreach (var r in _ranges)
            if (address >= r.Base && address < r.Top) return (r.Handler, r.Backend);
        return (IoHandler.User, -1);
    }
}
