using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;

namespace VirtCca.Devices.Virtio;

/// <summary>One buffer of a request: where it is (in the device's view) and which way data flows.</summary>
public readonly record struct VirtqBuffer(ulong Addr, uint Len, bool DeviceWritable);

/// <summary>
/// The driver's half of a split virtqueue, as Linux's virtio_ring runs it: a free list of
/// descriptors, add (fill descriptors, publish them in the available ring), kick_prepare (event
/// index or NO_NOTIFY), get_buf (reap used entries, moving used_event while callbacks are on),
/// disable/enable callbacks. Every field lives in guest memory and is written there.
/// <para>
/// What the driver knows of the device's fields (used idx, avail_event, used flags) comes from the
/// device's <see cref="UsedPublished"/> messages, not from reading them: the device runs in another
/// component, possibly on another thread in the same window, so a direct read would be a race. The
/// message's latency is the coherence delay of the shared cache line. What the driver writes for the
/// device goes out in <see cref="AvailPublished"/> (<see cref="TakePublication"/>), which also tells
/// the device what the driver had seen when it decided not to kick or re-enabled interrupts, so the
/// device can make up for the lost-wakeup window that memory barriers close on hardware.
/// </para>
/// </summary>
public sealed class DriverQueue
{
    private readonly IGuestMemory _ring;
    private readonly Stack<ushort> _free = new();
    private readonly ushort[]?[] _chains;
    private readonly ulong[] _tokens;
    private ushort _availIdx, _lastUsed, _added, _availFlags, _usedEvent;
    private ushort _usedIdxSeen, _availEventSeen, _usedFlagsSeen, _usedSeenAtEnable;
    private uint _deviceEpochSeen, _epochAtKick, _callbackEpoch;
    private bool _eventTriggered, _dirty, _notified;

    public DriverQueue(int index, SplitRingLayout layout, IGuestMemory ring, bool eventIdx)
    {
        Index = index; Layout = layout; _ring = ring; EventIdx = eventIdx;
        _chains = new ushort[]?[layout.Size];
        _tokens = new ulong[layout.Size];
        for (int i = layout.Size - 1; i >= 0; i--) _free.Push((ushort)i);
        ring.WriteU16(layout.AvailFlags, 0); ring.WriteU16(layout.AvailIdx, 0); ring.WriteU16(layout.UsedEvent, 0);
    }

    public int Index { get; }
    public SplitRingLayout Layout { get; }
    public bool EventIdx { get; }
    public int NumFree => _free.Count;
    public ushort AvailIdx => _availIdx;
    public ushort LastUsed => _lastUsed;
    public bool CallbacksEnabled => (_availFlags & Vring.AvailNoInterrupt) == 0;

    /// <summary>Whether the device has published used entries the driver has not reaped (virtqueue_poll / more_used).</summary>
    public bool MoreUsed => _lastUsed != _usedIdxSeen;

    /// <summary>Fills descriptors for <paramref name="buffers"/> (chained), publishes the head in the available ring and moves avail.idx.</summary>
    public ushort Add(ReadOnlySpan<VirtqBuffer> buffers, ulong token)
    {
        if (buffers.Length == 0 || buffers.Length > _free.Count) throw new InvalidOperationException($"virtqueue {Index}: {buffers.Length} descriptors asked, {_free.Count} free");
        var chain = new ushort[buffers.Length];
        for (int i = 0; i < chain.Length; i++) chain[i] = _free.Pop();
        for (int i = 0; i < chain.Length; i++)
        {
            var b = buffers[i];
            ushort flags = (ushort)((b.DeviceWritable ? VringDescriptor.FlagWrite : 0) | (i + 1 < chain.Length ? VringDescriptor.FlagNext : 0));
            Layout.WriteDescriptor(_ring, chain[i], new VringDescriptor(b.Addr, b.Len, flags, i + 1 < chain.Length ? chain[i + 1] : (ushort)0));
        }
        ushort head = chain[0];
        _chains[head] = chain;
        _tokens[head] = token;
        _ring.WriteU16(Layout.AvailRing(_availIdx), head);
        _availIdx++;
        _ring.WriteU16(Layout.AvailIdx, _availIdx);
        _added++;
        _dirty = true;
        return head;
    }

    /// <summary>virtqueue_kick_prepare: whether the device wants a notification for what was added since the last call.</summary>
    public bool KickPrepare()
    {
        ushort newIdx = _availIdx, oldIdx = (ushort)(_availIdx - _added);
        _added = 0;
        _epochAtKick = _deviceEpochSeen;
        bool kick = EventIdx ? Vring.NeedEvent(_availEventSeen, newIdx, oldIdx) : (_usedFlagsSeen & Vring.UsedNoNotify) == 0;
        _notified |= kick;
        return kick;
    }

    /// <summary>virtqueue_get_buf: the next used entry's token and length, or null when the device has published none.</summary>
    public (ulong Token, uint Len)? GetBuf()
    {
        if (!MoreUsed) return null;
        ushort slot = _lastUsed;
        uint id = _ring.ReadU32(Layout.UsedRing(slot)), len = _ring.ReadU32(Layout.UsedRing(slot) + 4);
        if (id >= Layout.Size || _chains[id] is not { } chain) throw new InvalidOperationException($"virtqueue {Index}: the device returned id {id}, which is not in flight");
        _chains[id] = null;
        for (int i = chain.Length - 1; i >= 0; i--) _free.Push(chain[i]);
        _lastUsed++;
        if (EventIdx && CallbacksEnabled) WriteUsedEvent(_lastUsed); // "we expect an interrupt for the next entry"
        return (_tokens[id], len);
    }

    /// <summary>The interrupt arrived: with event index the device will not raise another until used_event moves.</summary>
    public void OnInterrupt() { if (EventIdx) _eventTriggered = true; }

    /// <summary>virtqueue_disable_cb: a hint; with event index used_event is parked at 0 unless the device already fired.</summary>
    public void DisableCallbacks()
    {
        if (!CallbacksEnabled) return;
        _availFlags |= Vring.AvailNoInterrupt;
        if (_eventTriggered) return;
        if (EventIdx) WriteUsedEvent(0);
        else WriteAvailFlags();
    }

    /// <summary>virtqueue_enable_cb: turn interrupts back on at the next entry, then true if nothing is pending (else poll again).</summary>
    public bool EnableCallbacks()
    {
        _availFlags &= unchecked((ushort)~Vring.AvailNoInterrupt);
        if (!EventIdx) WriteAvailFlags();
        WriteUsedEvent(_lastUsed);
        _eventTriggered = false;
        _usedSeenAtEnable = _usedIdxSeen;
        _callbackEpoch++;
        return !MoreUsed;
    }

    /// <summary>The device published its side (used idx, avail_event, used flags).</summary>
    public void OnDevicePublished(UsedPublished p)
    {
        _usedIdxSeen = (ushort)p.UsedIdx;
        _availEventSeen = (ushort)p.AvailEvent;
        _usedFlagsSeen = (ushort)p.UsedFlags;
        _deviceEpochSeen = p.DeviceEpoch;
    }

    /// <summary>What the driver wrote since the last call, for the device; null when nothing changed.</summary>
    public AvailPublished? TakePublication()
    {
        if (!_dirty) return null;
        _dirty = false;
        var p = new AvailPublished
        {
            Queue = (uint)Index, AvailIdx = _availIdx, AvailFlags = _availFlags, UsedEvent = _usedEvent,
            SeenDeviceEpoch = _epochAtKick, Notified = _notified, SeenUsedIdx = _usedSeenAtEnable, CallbackEpoch = _callbackEpoch,
        };
        _notified = false;
        return p;
    }

    private void WriteUsedEvent(ushort v) { _usedEvent = v; _ring.WriteU16(Layout.UsedEvent, v); _dirty = true; }
    private void WriteAvailFlags() { _ring.WriteU16(Layout.AvailFlags, _availFlags); _dirty = true; }
}
