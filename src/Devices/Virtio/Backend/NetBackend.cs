using Google.Protobuf;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Virtio.Backend;

/// <summary>
/// virtio-net's host side (vhost-net or QEMU's virtio-net): queue 0 receives, queue 1 transmits.
/// Transmit: each chain's bytes (12-byte header, then the frame) are copied out of guest memory and
/// handed to the NIC; the used entry is written at once, as vhost-net does for copied packets.
/// Receive: a frame from the NIC waits in a backlog until the guest has posted buffers, is copied
/// into as many buffers as it needs (mergeable; num_buffers in the first header) and signalled. With
/// no buffers the queue's notifications go back on and the guest's refill kick resumes delivery; a
/// full backlog drops frames (counted).
/// </summary>
public sealed class NetBackend(BackendSettings settings, BackendWiring wiring, IGuestMemory memory, SplitRingLayout rx, SplitRingLayout tx)
    : VirtioBackend(settings, wiring, memory, [rx, tx])
{
    private readonly Queue<byte[]> _backlog = new();
    private bool _deliverPosted;

    public long TxPackets { get; private set; }
    public long RxPackets { get; private set; }
    public long RxDropped { get; private set; }

    private DeviceQueue Rx => Queues[0];
    private DeviceQueue Tx => Queues[1];

    protected override void Serve(ISimContext ctx, DeviceQueue q, bool kicked)
    {
        long extra = kicked ? Costs.NotifyCycles : 0;
        if (q == Tx) Thread.Post(ctx, Transmit(extra), chargeWake: kicked);
        else Deliver(ctx, extra, chargeWake: kicked);
    }

    protected override void HandleHardware(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != DeviceKinds.NicReceive) throw new InvalidOperationException($"NetBackend got event kind {ev.Kind}");
        if (_backlog.Count >= Settings.RxBacklog) { RxDropped++; return; }
        _backlog.Enqueue(ev.PayloadAs<NetPacket>().Frame.ToByteArray());
        Deliver(ctx, 0, chargeWake: true);
    }

    private HostThread.Job Transmit(long extra) => ctx =>
    {
        if (Tx.Pop(out bool malformed) is not { } chain)
        {
            if (RunDry(ctx, Tx)) Thread.Post(ctx, Transmit(0));
            return extra > 0 ? (extra, null) : null;
        }
        Counters.Requests++;
        byte[] bytes = [];
        try { bytes = malformed ? [] : ReadChain(chain); }
        catch (GuestMemoryFault f) { Error(f.Message); }
        if (bytes.Length < VirtioNet.HeaderBytes + 14 && !malformed) Error($"transmit chain at head {chain.Head} holds no frame");
        return (extra + Costs.NetTxCycles + CopyCycles(bytes.Length), c =>
        {
            if (bytes.Length >= VirtioNet.HeaderBytes + 14)
            {
                TxPackets++;
                c.Send(Wiring.Hardware, DeviceKinds.NicTransmit, payload: new NetPacket { Frame = ByteString.CopyFrom(bytes, VirtioNet.HeaderBytes, bytes.Length - VirtioNet.HeaderBytes) });
            }
            else if (malformed) Error($"malformed transmit chain at head {chain.Head}");
            Complete(c, Tx, [(chain.Head, 0u)]);
            Thread.Post(c, Transmit(0));
        });
    };

    private byte[] ReadChain(DescriptorChain chain)
    {
        var bytes = new byte[chain.ReadableBytes];
        int at = 0;
        foreach (var d in chain.Descriptors.Where(d => !d.DeviceWritable))
        {
            Memory.Read(d.Addr, bytes.AsSpan(at, (int)d.Len));
            at += (int)d.Len;
        }
        return bytes;
    }

    private void Deliver(ISimContext ctx, long extra, bool chargeWake)
    {
        if (_deliverPosted) return;
        _deliverPosted = true;
        Thread.Post(ctx, DeliverOne(extra), chargeWake);
    }

    /// <summary>One backlogged frame into the guest's buffers, if it has posted enough.</summary>
    private HostThread.Job DeliverOne(long extra) => ctx =>
    {
        _deliverPosted = false;
        if (_backlog.Count == 0 || !Rx.Live) return extra > 0 ? (extra, null) : null; // frames wait until the guest has opened the device
        var frame = _backlog.Peek();
        int need = VirtioNet.HeaderBytes + frame.Length;
        var chains = new List<DescriptorChain>();
        for (long room = 0; room < need;)
        {
            if (Rx.Pop(out bool malformed) is not { } chain || malformed)
            {
                Rx.Unpop(chains.Count + (malformed ? 1 : 0));
                if (RunDry(ctx, Rx)) Deliver(ctx, 0, chargeWake: false);
                return extra > 0 ? (extra, null) : null;
            }
            chains.Add(chain);
            room += chain.WritableBytes;
        }
        _backlog.Dequeue();
        return (extra + Costs.NetRxCycles + CopyCycles(need), c =>
        {
            Complete(c, Rx, Fill(chains, frame));
            RxPackets++;
            if (_backlog.Count > 0) Deliver(c, 0, chargeWake: false);
        });
    };

    /// <summary>Header (num_buffers = the buffers used) and frame across the chains' writable descriptors; the used entries.</summary>
    private List<(ushort, uint)> Fill(List<DescriptorChain> chains, byte[] frame)
    {
        var bytes = new byte[VirtioNet.HeaderBytes + frame.Length];
        bytes[VirtioNet.NumBuffersOffset] = (byte)chains.Count;
        bytes[VirtioNet.NumBuffersOffset + 1] = (byte)(chains.Count >> 8);
        frame.CopyTo(bytes, VirtioNet.HeaderBytes);
        var used = new List<(ushort, uint)>();
        int at = 0;
        foreach (var chain in chains)
        {
            uint written = 0;
            foreach (var d in chain.Descriptors.Where(d => d.DeviceWritable))
            {
                int n = Math.Min((int)d.Len, bytes.Length - at);
                if (n <= 0) break;
                try { Memory.Write(d.Addr, bytes.AsSpan(at, n)); }
                catch (GuestMemoryFault f) { Error(f.Message); }
                at += n; written += (uint)n;
            }
            used.Add((chain.Head, written));
        }
        return used;
    }
}
