using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;

namespace VirtCca.Devices.Virtio;

/// <summary>A descriptor chain the device popped from the available ring.</summary>
public sealed record DescriptorChain(ushort Head, IReadOnlyList<VringDescriptor> Descriptors)
{
    public uint WritableBytes => (uint)Descriptors.Where(d => d.DeviceWritable).Sum(d => (long)d.Len);
    public uint ReadableBytes => (uint)Descriptors.Where(d => !d.DeviceWritable).Sum(d => (long)d.Len);
}

/// <summary>
/// The device's half of a split virtqueue, as vhost runs it: pop chains from the available ring,
/// push used entries, disable/enable notifications (avail_event or used.flags), and decide whether
/// to interrupt (vhost_notify: used_event against the used index at the last signal). The driver's
/// fields (avail idx, avail flags, used_event) are known from its <see cref="AvailPublished"/>
/// messages and the notification data, never read racily from memory (see <see cref="DriverQueue"/>);
/// descriptors and ring entries are read from memory, since the driver wrote them before publishing.
/// </summary>
public sealed class DeviceQueue(int index, SplitRingLayout layout, IGuestMemory ring, bool eventIdx)
{
    private ushort _lastAvail, _availIdxSeen, _availFlagsSeen, _usedEventSeen, _usedIdx, _signalledUsed, _lastSignal, _availEvent, _usedFlags;
    private bool _signalledValid, _everSignalled, _kickPending;
    private uint _epoch, _callbackEpochSeen;

    public int Index { get; } = index;
    public SplitRingLayout Layout { get; } = layout;
    public bool EventIdx { get; } = eventIdx;
    public ushort UsedIdx => _usedIdx;
    public ushort LastAvail => _lastAvail;

    /// <summary>Notifications are on: the device is waiting for a kick (its thread sleeps on this queue).</summary>
    public bool NotifyEnabled { get; private set; } = true;

    /// <summary>Entries published by the driver that the device has not popped.</summary>
    public bool HasAvail => _lastAvail != _availIdxSeen;

    /// <summary>
    /// The driver has set the queue up (its first publication or notification arrived, as DRIVER_OK
    /// would say): before that the device leaves the ring's memory alone — it may not exist yet.
    /// </summary>
    public bool Live { get; private set; }

    /// <summary>A notification arrived; its notification data (VIRTIO_F_NOTIFICATION_DATA) carries the next avail index.</summary>
    public void OnNotify(ushort nextAvail)
    {
        Live = true;
        _kickPending = false;
        if ((ushort)(nextAvail - _lastAvail) > (ushort)(_availIdxSeen - _lastAvail)) _availIdxSeen = nextAvail;
    }

    /// <summary>
    /// The driver published its fields. Returns whether the device must act as if its own re-check
    /// had seen the new entries: the driver added them without kicking because it had not yet seen
    /// the device turn notifications back on (on hardware the paired barriers make one side see the
    /// other; here the views lag by the coherence delay).
    /// </summary>
    public bool OnDriverPublished(AvailPublished p)
    {
        Live = true;
        _availIdxSeen = (ushort)p.AvailIdx;
        _availFlagsSeen = (ushort)p.AvailFlags;
        _usedEventSeen = (ushort)p.UsedEvent;
        if (p.Notified) _kickPending = true;
        return NotifyEnabled && HasAvail && !_kickPending && p.SeenDeviceEpoch != _epoch;
    }

    /// <summary>
    /// After <see cref="OnDriverPublished"/>: whether the driver went to sleep on interrupts (re-enabled
    /// them having seen nothing pending) while used entries it had not seen were already published
    /// without a signal. On hardware the device's check after its used-index write would have seen the
    /// new used_event and signalled for entry used_event; here it learns of it late, and signals now.
    /// </summary>
    public bool LateSignal(AvailPublished p)
    {
        if (p.CallbackEpoch == _callbackEpochSeen) return false;
        _callbackEpochSeen = p.CallbackEpoch;
        ushort y = (ushort)p.UsedEvent;
        if (!EventIdx && (_availFlagsSeen & Vring.AvailNoInterrupt) != 0) return false;
        if (y != (ushort)p.SeenUsedIdx || _usedIdx == y) return false;       // the driver polls on, or nothing is pending
        ushort signalledSince = (ushort)(_lastSignal - y), pending = (ushort)(_usedIdx - y);
        if (_everSignalled && signalledSince >= 1 && signalledSince <= pending) return false; // a signal for them is on its way
        Signalled();
        return true;
    }

    /// <summary>Pops the next chain (following NEXT links; a loop or an indirect table is a malformed chain: null).</summary>
    public DescriptorChain? Pop(out bool malformed)
    {
        malformed = false;
        if (!HasAvail) return null;
        ushort head = ring.ReadU16(Layout.AvailRing(_lastAvail));
        _lastAvail++;
        var descs = new List<VringDescriptor>();
        for (ushort i = head; ;)
        {
            if (i >= Layout.Size || descs.Count >= Layout.Size) { malformed = true; return new DescriptorChain(head, descs); }
            var d = Layout.ReadDescriptor(ring, i);
            if ((d.Flags & VringDescriptor.FlagIndirect) != 0) { malformed = true; return new DescriptorChain(head, descs); }
            descs.Add(d);
            if (!d.HasNext) break;
            i = d.Next;
        }
        return new DescriptorChain(head, descs);
    }

    /// <summary>Gives back the last <paramref name="n"/> popped chains (vhost_discard_vq_desc): a packet that did not fit waits for more buffers.</summary>
    public void Unpop(int n) => _lastAvail -= (ushort)n;

    public void PushUsed(ushort head, uint len)
    {
        ulong at = Layout.UsedRing(_usedIdx);
        ring.WriteU32(at, head);
        ring.WriteU32(at + 4, len);
        _usedIdx++;
        ring.WriteU16(Layout.UsedIdx, _usedIdx);
    }

    /// <summary>
    /// vhost_disable_notify: without event index set NO_NOTIFY (true: the driver must be told); with
    /// it, leave avail_event behind, which the driver stops crossing (nothing to tell).
    /// </summary>
    public bool DisableNotify()
    {
        if (!NotifyEnabled) return false;
        NotifyEnabled = false;
        if (EventIdx) return false;
        _usedFlags |= Vring.UsedNoNotify;
        ring.WriteU16(Layout.UsedFlags, _usedFlags);
        _epoch++;
        return true;
    }

    /// <summary>vhost_enable_notify: ask for a kick at the next entry; true if entries slipped in meanwhile (then the caller disables again and goes on).</summary>
    public bool EnableNotify()
    {
        NotifyEnabled = true;
        if (EventIdx) { _availEvent = _availIdxSeen; ring.WriteU16(Layout.AvailEvent, _availEvent); }
        else { _usedFlags &= unchecked((ushort)~Vring.UsedNoNotify); ring.WriteU16(Layout.UsedFlags, _usedFlags); }
        _epoch++;
        return HasAvail;
    }

    /// <summary>
    /// vhost_notify after pushing used entries: without event index, unless the driver set
    /// NO_INTERRUPT; with it, whether the used index crossed used_event since the last check (the
    /// check moves on whether or not it signals, as vhost's signalled_used does).
    /// </summary>
    public bool NeedSignal()
    {
        bool need;
        if (!EventIdx) need = (_availFlagsSeen & Vring.AvailNoInterrupt) == 0;
        else
        {
            ushort old = _signalledUsed;
            bool valid = _signalledValid;
            _signalledUsed = _usedIdx;
            _signalledValid = true;
            need = !valid || Vring.NeedEvent(_usedEventSeen, _usedIdx, old);
        }
        if (need) Signalled();
        return need;
    }

    private void Signalled() { _lastSignal = _usedIdx; _signalledUsed = _usedIdx; _signalledValid = true; _everSignalled = true; }

    /// <summary>The device's fields, for the driver side.</summary>
    public UsedPublished Publication() => new()
    {
        Queue = (uint)Index, UsedIdx = _usedIdx, UsedFlags = _usedFlags, AvailEvent = _availEvent, DeviceEpoch = _epoch,
    };
}
