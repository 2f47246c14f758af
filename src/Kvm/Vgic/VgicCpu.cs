namespace VirtCca.Kvm.Vgic;

/// <summary>
/// KVM's virtual GIC state for one vCPU: the virtual interrupts pending for it, and what goes into the
/// list registers when it enters. Senders on other CPUs reach it by a message to the CPU hosting the
/// vCPU (KVM's kvm_vgic_inject + kick), never by touching it directly.
/// </summary>
public sealed class VgicCpu
{
    /// <summary>ICH_LR_EL2 fields KVM writes: group 1, priority 0xA0, state pending (RMM v1.0 §5.3 lets a realm's host do only this).</summary>
    public const ulong Group1 = 1UL << 60, PendingState = 1UL << 62;
    public const byte DefaultPriority = 0xA0;

    private readonly SortedSet<int> _pending = new();

    public bool HasPending => _pending.Count > 0;
    public int PendingCount => _pending.Count;

    /// <summary>Marks a virtual INTID pending; false if it already was (a level, not a count).</summary>
    public bool Pend(int intid)
    {
        if (intid is < 0 or >= 1020) throw new ArgumentOutOfRangeException(nameof(intid), intid, "a virtual INTID KVM injects is 0..1019");
        return _pending.Add(intid);
    }

    /// <summary>
    /// Entry: moves the pending interrupts into list registers, lowest INTID first (the highest priority
    /// at equal priority), at most <paramref name="lrs"/>.Length of them; the rest stay pending for the
    /// next entry. Unused list registers are cleared. Returns how many were filled.
    /// </summary>
    public int FillListRegisters(Span<ulong> lrs)
    {
        lrs.Clear();
        int n = 0;
        while (n < lrs.Length && _pending.Count > 0)
        {
            int intid = _pending.Min;
            _pending.Remove(intid);
            lrs[n++] = Encode(intid);
        }
        return n;
    }

    /// <summary>
    /// Exit (maintenance): list registers the guest has not taken (still pending) go back to the pending
    /// set, so nothing KVM injected is lost when an entry is cut short.
    /// </summary>
    public void Reclaim(ReadOnlySpan<ulong> lrs)
    {
        foreach (ulong lr in lrs)
            if ((lr & PendingState) != 0 && (lr >> 63) == 0) _pending.Add((int)(lr & 0xFFFF_FFFF));
    }

    /// <summary>Forgets every pending interrupt (the guest was reset).</summary>
    public void Clear() => _pending.Clear();

    public static ulong Encode(int intid) => (uint)intid | (ulong)DefaultPriority << 48 | Group1 | PendingState;
}
