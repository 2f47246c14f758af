using Google.Protobuf;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Virtio.Backend;

/// <summary>
/// virtio-blk's host side (vhost-blk or QEMU's virtio-blk) on one queue. For each available chain
/// it reads the 16-byte header, checks the chain's shape, and submits a command to the block device
/// whose DMA goes to the data descriptors' addresses (the guest's IPAs, translated by the device's
/// SMMU stream); on the device's completion it writes the status byte (OK, or IOERR when the device
/// refused a DMA), the used entry, and signals. A malformed chain or an unreadable header completes
/// with an error status and is counted, never stopping the device.
/// </summary>
public sealed class BlkBackend(BackendSettings settings, BackendWiring wiring, IGuestMemory memory, SplitRingLayout queue)
    : VirtioBackend(settings, wiring, memory, [queue])
{
    private readonly Dictionary<ulong, Pending> _pending = new();
    private ulong _nextTag;

    private sealed record Pending(DeviceQueue Queue, ushort Head, ulong Status, uint DataIn, ulong Sector);

    protected override void Serve(ISimContext ctx, DeviceQueue q, bool kicked) =>
        Thread.Post(ctx, Pop(q, kicked ? Costs.NotifyCycles : 0), chargeWake: kicked);

    private HostThread.Job Pop(DeviceQueue q, long extra) => ctx =>
    {
        if (q.Pop(out bool malformed) is not { } chain)
        {
            if (RunDry(ctx, q)) Thread.Post(ctx, Pop(q, 0));
            return extra > 0 ? (extra, null) : null;
        }
        Counters.Requests++;
        return (extra + Costs.BlkSubmitCycles, c =>
        {
            Submit(c, q, chain, malformed);
            Thread.Post(c, Pop(q, 0));
        });
    };

    private void Submit(ISimContext ctx, DeviceQueue q, DescriptorChain chain, bool malformed)
    {
        var d = chain.Descriptors;
        if (malformed || d.Count < 2 || d[0].DeviceWritable || d[0].Len < VirtioBlk.HeaderBytes || !d[^1].DeviceWritable)
        {
            Fail(ctx, q, chain, VirtioBlk.StatusIoErr, $"malformed request chain at head {chain.Head}");
            return;
        }
        uint type; ulong sector;
        try { type = Memory.ReadU32(d[0].Addr); sector = Memory.ReadU64(d[0].Addr + 8); }
        catch (GuestMemoryFault f) { Fail(ctx, q, chain, VirtioBlk.StatusIoErr, f.Message); return; }
        var data = d.Skip(1).Take(d.Count - 2).ToList();
        BlockOpcode? op = type switch
        {
            VirtioBlk.TypeIn when data.All(x => x.DeviceWritable) => BlockOpcode.Read,
            VirtioBlk.TypeOut when data.All(x => !x.DeviceWritable) => BlockOpcode.Write,
            VirtioBlk.TypeFlush => BlockOpcode.Flush,
            _ => null,
        };
        if (op is not { } opcode) { Fail(ctx, q, chain, VirtioBlk.StatusUnsupported, $"request type {type} with this chain is not supported"); return; }
        ulong tag = _nextTag++;
        var cmd = new BlockCommand { Tag = tag, Op = opcode, Sector = sector };
        if (Settings.DmaStream is { } stream) cmd.Stream = stream;
        if (opcode != BlockOpcode.Flush) cmd.Segments.AddRange(data.Select(x => new BlockSegment { Iova = x.Addr, Length = x.Len }));
        uint dataIn = opcode == BlockOpcode.Read ? (uint)data.Sum(x => (long)x.Len) : 0;
        _pending[tag] = new Pending(q, chain.Head, d[^1].Addr, dataIn, sector);
        ctx.Send(Wiring.Hardware, DeviceKinds.BlockSubmit, (long)tag, cmd);
    }

    protected override void HandleHardware(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != DeviceKinds.BlockComplete) throw new InvalidOperationException($"BlkBackend got event kind {ev.Kind}");
        var done = ev.PayloadAs<BlockCompletion>();
        if (!_pending.Remove(done.Tag, out var p)) throw new InvalidOperationException($"BlkBackend: completion for unknown tag {done.Tag}");
        Thread.Post(ctx, _ => (Costs.BlkCompleteCycles, c =>
        {
            if (!done.Ok) Error($"the device's DMA for sector {p.Sector} was refused");
            WriteStatus(done.Ok ? VirtioBlk.StatusOk : VirtioBlk.StatusIoErr, p.Status);
            Complete(c, p.Queue, [(p.Head, (done.Ok ? p.DataIn : 0) + 1)]);
        }));
    }

    private void Fail(ISimContext ctx, DeviceQueue q, DescriptorChain chain, byte status, string why)
    {
        Error(why);
        var last = chain.Descriptors.LastOrDefault();
        bool canWrite = last.DeviceWritable && last.Len >= 1;
        if (canWrite) WriteStatus(status, last.Addr);
        Complete(ctx, q, [(chain.Head, canWrite ? 1u : 0u)]);
    }

    private void WriteStatus(byte status, ulong at)
    {
        try { Memory.Write(at, [status]); }
        catch (GuestMemoryFault f) { Error(f.Message); }
    }
}
