using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Swiotlb;

namespace VirtCca.Devices.Virtio.Driver;

public enum BlockOp { Read, Write, Flush }

/// <summary>A block request as the guest's block layer hands it to virtio-blk: <see cref="Buffer"/> is in the driver's memory.</summary>
public sealed record BlockRequest(ulong Id, BlockOp Op, ulong Sector, ulong Buffer, uint Bytes);

/// <summary>virtio-blk's request header and status (virtio 1.x §5.2.6).</summary>
public static class VirtioBlk
{
    public const uint TypeIn = 0, TypeOut = 1, TypeFlush = 4;
    public const byte StatusOk = 0, StatusIoErr = 1, StatusUnsupported = 2;
    public const int HeaderBytes = 16;
}

/// <summary>
/// The guest's virtio-blk driver on one virtqueue, step by step as Linux runs it: a request becomes
/// three descriptors (16-byte header, data, 1-byte status), is published and notified unless the
/// device suppressed it; the completion interrupt reaps used entries until none is left and
/// re-enables interrupts (virtblk_done), then restarts requests that waited. In a realm every
/// buffer (header, data, status) is bounced through the <see cref="SwiotlbPool"/>; a request that
/// finds no slots (or no free descriptors) waits, in order, until a completion frees some.
/// </summary>
public sealed class BlkDriver
{
    private const int HeaderSlotBytes = 32; // header at +0, status at +16

    private readonly DriverQueue _queue;
    private readonly IGuestMemory _memory;
    private readonly ulong _headerArea;
    private readonly VirtioDriverCosts _costs;
    private readonly SwiotlbPool? _swiotlb;
    private readonly Stack<int> _headerSlots = new();
    private readonly Dictionary<ulong, InFlight> _inFlight = new();
    private readonly Queue<BlockRequest> _waiting = new();
    private ulong _nextToken;

    private sealed record InFlight(BlockRequest Request, int HeaderSlot, SwiotlbMapping[] Mappings);

    /// <param name="memory">The driver's memory: a VM's (the device sees it too), or a realm's protected memory.</param>
    /// <param name="headerArea">Where the driver keeps request headers and status bytes in that memory (32 bytes per ring entry).</param>
    /// <param name="swiotlb">A realm's bounce pool; null for a normal VM, whose device DMAs directly.</param>
    public BlkDriver(DriverQueue queue, IGuestMemory memory, ulong headerArea, VirtioDriverCosts costs, SwiotlbPool? swiotlb = null)
    {
        _queue = queue; _memory = memory; _headerArea = headerArea; _costs = costs; _swiotlb = swiotlb;
        for (int i = queue.Layout.Size - 1; i >= 0; i--) _headerSlots.Push(i);
    }

    public DriverQueue Queue => _queue;
    public DriverCounters Counters { get; } = new();
    public int Waiting => _waiting.Count;

    /// <summary>The device published its side of the ring.</summary>
    public void OnDevicePublished(UsedPublished p) => _queue.OnDevicePublished(p);

    /// <summary>virtio_queue_rq: submit one request (or queue it behind earlier waiting ones).</summary>
    public DriverStep Submit(BlockRequest request)
    {
        var b = new StepBuilder { Cycles = _costs.BlkSubmitCycles };
        Counters.Submitted++;
        bool added = false;
        if (_waiting.Count == 0 && TryStart(request, b)) added = true;
        else _waiting.Enqueue(request);
        b.Publish(_queue, added, _costs.KickPrepareCycles, Counters);
        return b.Build();
    }

    /// <summary>The completion interrupt: virtblk_done, then requests that waited for ring space or slots.</summary>
    public DriverStep OnInterrupt()
    {
        var b = new StepBuilder { Cycles = _costs.InterruptCycles };
        Counters.Interrupts++;
        _queue.OnInterrupt();
        do
        {
            _queue.DisableCallbacks();
            while (_queue.GetBuf() is { } used) Complete(used.Token, b);
        } while (!_queue.EnableCallbacks());
        bool added = false;
        while (_waiting.Count > 0 && TryStart(_waiting.Peek(), b)) { _waiting.Dequeue(); added = true; }
        b.Publish(_queue, added, _costs.KickPrepareCycles, Counters);
        return b.Build();
    }

    private bool TryStart(BlockRequest r, StepBuilder b)
    {
        int descriptors = r.Op == BlockOp.Flush ? 2 : 3;
        if (_queue.NumFree < descriptors) { Counters.RingFullWaits++; return false; }
        int slot = _headerSlots.Pop();
        ulong header = _headerArea + (ulong)(slot * HeaderSlotBytes), status = header + VirtioBlk.HeaderBytes;
        _memory.WriteU32(header, r.Op switch { BlockOp.Read => VirtioBlk.TypeIn, BlockOp.Write => VirtioBlk.TypeOut, _ => VirtioBlk.TypeFlush });
        _memory.WriteU32(header + 4, 0);
        _memory.WriteU64(header + 8, r.Sector);
        _memory.Write(status, [0xFF]); // a device that never writes the status is seen as an error

        var parts = new List<(ulong Addr, uint Len, DmaDirection Dir)> { (header, VirtioBlk.HeaderBytes, DmaDirection.ToDevice) };
        if (r.Op != BlockOp.Flush) parts.Add((r.Buffer, r.Bytes, r.Op == BlockOp.Write ? DmaDirection.ToDevice : DmaDirection.FromDevice));
        parts.Add((status, 1, DmaDirection.FromDevice));

        var mappings = new List<SwiotlbMapping>();
        var buffers = new VirtqBuffer[parts.Count];
        long mapCycles = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            var (addr, len, dir) = parts[i];
            if (_swiotlb != null)
            {
                if (_swiotlb.Map(addr, (int)len, dir, out long c) is not { } m)
                {
                    foreach (var done in mappings) _swiotlb.Release(done);
                    _swiotlb.RecordWait();
                    _headerSlots.Push(slot);
                    b.Cycles += mapCycles;
                    return false;
                }
                mapCycles += c;
                mappings.Add(m);
                addr = m.Shared;
            }
            buffers[i] = new VirtqBuffer(addr, len, dir == DmaDirection.FromDevice);
        }
        b.Cycles += mapCycles + descriptors * _costs.DescriptorCycles;
        ulong token = _nextToken++;
        _queue.Add(buffers, token);
        _inFlight[token] = new InFlight(r, slot, mappings.ToArray());
        return true;
    }

    private void Complete(ulong token, StepBuilder b)
    {
        var f = _inFlight[token];
        _inFlight.Remove(token);
        b.Cycles += _costs.BlkCompleteCycles;
        if (_swiotlb != null) foreach (var m in f.Mappings) b.Cycles += _swiotlb.Unmap(m);
        ulong status = _headerArea + (ulong)(f.HeaderSlot * HeaderSlotBytes) + VirtioBlk.HeaderBytes;
        byte s = _memory.ReadBytes(status, 1)[0];
        if (s > VirtioBlk.StatusUnsupported) s = VirtioBlk.StatusIoErr;
        _headerSlots.Push(f.HeaderSlot);
        Counters.Completed++;
        b.Completed.Add(new DriverCompletion(f.Request.Id, s, s == VirtioBlk.StatusOk && f.Request.Op != BlockOp.Flush ? f.Request.Bytes : 0));
    }
}
