using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Swiotlb;

namespace VirtCca.Devices.Virtio.Driver;

/// <summary>virtio-net's per-packet header (virtio 1.x §5.1.6, with num_buffers): 12 bytes, all zero here but num_buffers.</summary>
public static class VirtioNet
{
    public const int HeaderBytes = 12, NumBuffersOffset = 10;
    /// <summary>Room for one TSO-sized frame and its header (the default transmit slot).</summary>
    public const int TxSlotBytes = 0x11000;
}

/// <summary>
/// The guest's virtio-net driver: receive queue 0 and transmit queue 1, as Linux runs them. Receive
/// buffers of <see cref="RxBufferBytes"/> are posted ahead (mergeable: a frame longer than one
/// buffer spans several, the first header's num_buffers says how many); the receive interrupt
/// disables further interrupts and schedules NAPI, whose poll takes up to the budget of packets,
/// refills, and re-enables interrupts only when it took fewer than the budget and nothing more is
/// pending (<see cref="DriverStep.Repoll"/> otherwise). Transmit places header + frame in one
/// descriptor and reclaims finished transmissions on the next send; transmit interrupts stay off
/// unless the ring fills (then the interrupt restarts the waiting frames). In a realm every buffer
/// is bounced through the <see cref="SwiotlbPool"/>.
/// </summary>
public sealed class NetDriver
{
    private readonly DriverQueue _rx, _tx;
    private readonly IGuestMemory _memory;
    private readonly ulong _rxArea, _txArea;
    private readonly VirtioDriverCosts _costs;
    private readonly SwiotlbPool? _swiotlb;
    private readonly Stack<int> _rxFree = new(), _txFree = new();
    private readonly Dictionary<ulong, (int Buffer, SwiotlbMapping? Mapping)> _rxPosted = new();
    private readonly Dictionary<ulong, (int Slot, SwiotlbMapping? Mapping)> _txInFlight = new();
    private readonly Queue<(ulong Id, byte[] Frame)> _txWaiting = new();
    private ulong _nextToken, _nextPacket;

    /// <param name="bufferArea">Where the driver keeps receive buffers and transmit slots in its memory.</param>
    /// <param name="txSlotBytes">Room per transmit slot: header and the largest frame the guest sends.</param>
    public NetDriver(DriverQueue rx, DriverQueue tx, IGuestMemory memory, ulong bufferArea, VirtioDriverCosts costs, int rxBufferBytes = 2048, SwiotlbPool? swiotlb = null,
        int txSlotBytes = VirtioNet.TxSlotBytes)
    {
        if (rxBufferBytes <= VirtioNet.HeaderBytes) throw new ArgumentException($"receive buffers of {rxBufferBytes} bytes cannot hold the {VirtioNet.HeaderBytes}-byte header");
        if (txSlotBytes <= VirtioNet.HeaderBytes + 14) throw new ArgumentException($"transmit slots of {txSlotBytes} bytes cannot hold a frame");
        _rx = rx; _tx = tx; _memory = memory; _costs = costs; _swiotlb = swiotlb;
        RxBufferBytes = rxBufferBytes;
        TxSlotBytes = txSlotBytes;
        _rxArea = bufferArea;
        _txArea = bufferArea + (ulong)rx.Layout.Size * (ulong)rxBufferBytes;
        for (int i = rx.Layout.Size - 1; i >= 0; i--) _rxFree.Push(i);
        for (int i = tx.Layout.Size - 1; i >= 0; i--) _txFree.Push(i);
        _tx.DisableCallbacks();
    }

    public int RxBufferBytes { get; }
    public int TxSlotBytes { get; }
    /// <summary>Bytes of driver memory the receive buffers and transmit slots take from the buffer area.</summary>
    public static ulong AreaBytes(ushort rxSize, ushort txSize, int rxBufferBytes, int txSlotBytes) => (ulong)rxSize * (ulong)rxBufferBytes + (ulong)txSize * (ulong)txSlotBytes;
    public DriverQueue Rx => _rx;
    public DriverQueue Tx => _tx;
    public DriverCounters Counters { get; } = new();
    public int TxWaiting => _txWaiting.Count;

    public void OnDevicePublished(UsedPublished p) => (p.Queue == _rx.Index ? _rx : _tx).OnDevicePublished(p);

    /// <summary>Opening the device: fill the receive ring.</summary>
    public DriverStep Start()
    {
        var b = new StepBuilder();
        Refill(b);
        return b.Build();
    }

    /// <summary>start_xmit of one Ethernet frame: reclaim finished transmissions, add this one, kick unless suppressed.</summary>
    public DriverStep Send(ulong id, byte[] frame)
    {
        var b = new StepBuilder { Cycles = _costs.NetTxCycles };
        Counters.Submitted++;
        ReclaimTx();
        bool added = false;
        if (_txWaiting.Count == 0 && TryTransmit(id, frame, b)) added = true;
        else { _txWaiting.Enqueue((id, frame)); if (_txWaiting.Count == 1) _tx.EnableCallbacks(); }
        b.Publish(_tx, added, _costs.KickPrepareCycles, Counters);
        return b.Build();
    }

    /// <summary>The transmit interrupt (only when the ring filled): reclaim, send what waited, interrupts off again.</summary>
    public DriverStep OnTxInterrupt()
    {
        var b = new StepBuilder { Cycles = _costs.InterruptCycles };
        Counters.Interrupts++;
        _tx.OnInterrupt();
        ReclaimTx();
        bool added = false;
        while (_txWaiting.Count > 0 && TryTransmit(_txWaiting.Peek().Id, _txWaiting.Peek().Frame, b)) { _txWaiting.Dequeue(); added = true; }
        if (_txWaiting.Count == 0) _tx.DisableCallbacks();
        b.Publish(_tx, added, _costs.KickPrepareCycles, Counters);
        return b.Build();
    }

    /// <summary>The receive interrupt: interrupts off, NAPI scheduled, and its first poll.</summary>
    public DriverStep OnRxInterrupt()
    {
        var b = new StepBuilder { Cycles = _costs.InterruptCycles };
        Counters.Interrupts++;
        _rx.OnInterrupt();
        _rx.DisableCallbacks();
        PollInto(b);
        return b.Build();
    }

    /// <summary>One NAPI poll (virtnet_poll): up to the budget of packets, refill, then complete or stay in polling mode.</summary>
    public DriverStep Poll()
    {
        var b = new StepBuilder();
        PollInto(b);
        return b.Build();
    }

    private void PollInto(StepBuilder b)
    {
        Counters.Polls++;
        int received = 0;
        while (received < _costs.NapiBudget && _rx.GetBuf() is { } used)
        {
            b.Completed.Add(Receive(used.Token, used.Len, b));
            b.Cycles += _costs.NetRxCycles;
            Counters.Completed++;
            received++;
        }
        Refill(b);
        if (received < _costs.NapiBudget)
        {
            if (!_rx.EnableCallbacks()) { _rx.DisableCallbacks(); b.Repoll = true; }
        }
        else b.Repoll = true;
        b.Publish(_rx, false, 0, Counters); // used_event moved: the device must know
    }

    /// <summary>A packet: its first buffer's header says how many buffers it spans; the frame follows the header.</summary>
    private DriverCompletion Receive(ulong token, uint len, StepBuilder b)
    {
        var frame = new List<byte>();
        ushort buffers = 1;
        for (int k = 0; k < buffers; k++)
        {
            if (k > 0)
            {
                if (_rx.GetBuf() is not { } next) throw new InvalidOperationException("virtio-net: a packet's later buffers were not published with its first");
                (token, len) = next;
            }
            var (buffer, mapping) = _rxPosted[token];
            _rxPosted.Remove(token);
            if (mapping != null) b.Cycles += _swiotlb!.Unmap(mapping, (int)len);
            ulong at = _rxArea + (ulong)buffer * (ulong)RxBufferBytes;
            int skip = 0;
            if (k == 0) { buffers = Math.Max((ushort)1, _memory.ReadU16(at + VirtioNet.NumBuffersOffset)); skip = VirtioNet.HeaderBytes; }
            frame.AddRange(_memory.ReadBytes(at + (ulong)skip, (int)len - skip));
            _rxFree.Push(buffer);
        }
        return new DriverCompletion(_nextPacket++, 0, (uint)frame.Count, frame.ToArray());
    }

    /// <summary>try_fill_recv: post every free buffer the ring has room for, then kick unless suppressed.</summary>
    private void Refill(StepBuilder b)
    {
        bool added = false;
        while (_rx.NumFree > 0 && _rxFree.Count > 0)
        {
            int buffer = _rxFree.Peek();
            ulong at = _rxArea + (ulong)buffer * (ulong)RxBufferBytes;
            SwiotlbMapping? m = null;
            if (_swiotlb != null)
            {
                if (_swiotlb.Map(at, RxBufferBytes, DmaDirection.FromDevice, out long c) is not { } mapped) { _swiotlb.RecordWait(); break; }
                b.Cycles += c;
                m = mapped;
            }
            _rxFree.Pop();
            ulong token = _nextToken++;
            _rx.Add([new VirtqBuffer(m?.Shared ?? at, (uint)RxBufferBytes, DeviceWritable: true)], token);
            _rxPosted[token] = (buffer, m);
            b.Cycles += _costs.RefillCycles + _costs.DescriptorCycles;
            added = true;
        }
        b.Publish(_rx, added, _costs.KickPrepareCycles, Counters);
    }

    private bool TryTransmit(ulong id, byte[] frame, StepBuilder b)
    {
        if (_tx.NumFree < 1 || _txFree.Count == 0) { Counters.RingFullWaits++; return false; }
        int slot = _txFree.Peek();
        ulong at = _txArea + (ulong)slot * (ulong)TxSlotBytes;
        int bytes = VirtioNet.HeaderBytes + frame.Length;
        if (bytes > TxSlotBytes) throw new InvalidOperationException($"virtio-net: a {frame.Length}-byte frame does not fit a {TxSlotBytes}-byte transmit slot");
        _memory.Write(at, new byte[VirtioNet.HeaderBytes]);
        _memory.Write(at + VirtioNet.HeaderBytes, frame);
        SwiotlbMapping? m = null;
        if (_swiotlb != null)
        {
            if (_swiotlb.Map(at, bytes, DmaDirection.ToDevice, out long c) is not { } mapped) { _swiotlb.RecordWait(); return false; }
            b.Cycles += c;
            m = mapped;
        }
        _txFree.Pop();
        ulong token = _nextToken++;
        _tx.Add([new VirtqBuffer(m?.Shared ?? at, (uint)bytes, DeviceWritable: false)], token);
        _txInFlight[token] = (slot, m);
        b.Cycles += _costs.DescriptorCycles;
        return true;
    }

    /// <summary>free_old_xmit_skbs: every finished transmission gives back its slot (and bounce slots: no copy back).</summary>
    private void ReclaimTx()
    {
        while (_tx.GetBuf() is { } used)
        {
            var (slot, m) = _txInFlight[used.Token];
            _txInFlight.Remove(used.Token);
            if (m != null) _swiotlb!.Unmap(m);
            _txFree.Push(slot);
            Counters.Completed++;
        }
    }
}
