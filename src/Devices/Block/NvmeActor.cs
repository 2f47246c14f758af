using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Block;

/// <summary>
/// An NVMe-like block device as a kernel component. Up to <see cref="NvmeSettings.QueueDepth"/>
/// commands run at once, their access latencies overlapping; each direction's transfer channel
/// serves one command at a time (<see cref="NvmeSettings.ChannelTime"/>). A read: access latency,
/// transfer, then DMA of the data into memory; a write: DMA out of memory, transfer, then the
/// program latency. Every DMA goes through the SMMU (per segment, split per page there) and the
/// TZASC behind it. A refused DMA fails the command (ok = false, counted, its sector recorded) and
/// the device goes on with the others; a write whose data could not be read is not written.
/// </summary>
public sealed class NvmeActor(NvmeSettings settings, int smmu) : Component
{
    public const int KindMediaDone = 0x65F0, KindChannelDone = 0x65F1;

    private readonly Dictionary<ulong, Command> _commands = new();
    private readonly Dictionary<ulong, (ulong Command, int Offset)> _dma = new();
    private readonly Queue<ulong> _waiting = new();
    private SimTime _readFree, _writeFree;
    private ulong _nextDma, _nextCommand;
    private int _active;

    private sealed class Command(int requester, BlockCommand cmd)
    {
        public int Requester { get; } = requester;
        public BlockCommand Cmd { get; } = cmd;
        public long Bytes { get; } = cmd.Segments.Sum(s => (long)s.Length);
        public byte[] Data { get; set; } = [];
        public int DmaOutstanding { get; set; }
        public bool Ok { get; set; } = true;
    }

    /// <summary>The device's contents (sparse: unwritten sectors read as zero).</summary>
    public PhysicalMemory Media { get; } = new();
    public NvmeSettings Settings { get; } = settings;
    public long Reads { get; private set; }
    public long Writes { get; private set; }
    public long Flushes { get; private set; }
    public long BytesRead { get; private set; }
    public long BytesWritten { get; private set; }
    public long QueueWaits { get; private set; }
    public long RefusedDmaCommands { get; private set; }
    public List<(ulong Sector, BlockOpcode Op)> RefusedDma { get; } = new();

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case DeviceKinds.BlockSubmit:
            {
                var cmd = ev.PayloadAs<BlockCommand>();
                ulong id = _nextCommand++; // tags are the requester's: several backends may share the device
                _commands.Add(id, new Command(ev.Source, cmd));
                if (_active < Settings.QueueDepth) Start(ctx, id);
                else { _waiting.Enqueue(id); QueueWaits++; }
                break;
            }
            case DeviceKinds.MemoryReply: OnDmaReply(ctx, ev.PayloadAs<MemReply>()); break;
            case KindMediaDone: OnMediaDone(ctx, (ulong)ev.Arg); break;
            case KindChannelDone: OnChannelDone(ctx, (ulong)ev.Arg); break;
            default: throw new InvalidOperationException($"NvmeActor got event kind {ev.Kind}");
        }
    }

    private void Start(ISimContext ctx, ulong tag)
    {
        _active++;
        var c = _commands[tag];
        switch (c.Cmd.Op)
        {
            case BlockOpcode.Read: Reads++; ctx.Schedule(Settings.ReadLatency, KindMediaDone, (long)tag); break;
            case BlockOpcode.Flush: Flushes++; ctx.Schedule(Settings.FlushLatency, KindMediaDone, (long)tag); break;
            default: Writes++; Dma(ctx, tag, c, write: false); break;
        }
    }

    /// <summary>One DMA per segment; the SMMU answers each once all its pages are back.</summary>
    private void Dma(ISimContext ctx, ulong tag, Command c, bool write)
    {
        if (!write) c.Data = new byte[c.Bytes];
        int offset = 0;
        foreach (var s in c.Cmd.Segments)
        {
            if (s.Length == 0) continue;
            ulong dmaTag = _nextDma++;
            _dma[dmaTag] = (tag, offset);
            c.DmaOutstanding++;
            var req = new DmaRequest { Tag = dmaTag, Stream = c.Cmd.HasStream ? c.Cmd.Stream : Settings.Stream, SecureStream = Settings.SecureStream, Iova = s.Iova, Write = write, Size = s.Length };
            if (write) req.Data = ByteString.CopyFrom(c.Data, offset, (int)s.Length);
            ctx.Send(smmu, DeviceKinds.SmmuDma, (long)dmaTag, req);
            offset += (int)s.Length;
        }
        if (c.DmaOutstanding == 0) AfterDma(ctx, tag, c);
    }

    private void OnDmaReply(ISimContext ctx, MemReply reply)
    {
        if (!_dma.Remove(reply.Tag, out var part)) throw new InvalidOperationException($"NvmeActor: DMA reply with unknown tag {reply.Tag}");
        var c = _commands[part.Command];
        c.DmaOutstanding--;
        if (!reply.Ok) c.Ok = false;
        else if (c.Cmd.Op == BlockOpcode.Write) reply.Data.Span.CopyTo(c.Data.AsSpan(part.Offset));
        if (c.DmaOutstanding == 0) AfterDma(ctx, part.Command, c);
    }

    private void AfterDma(ISimContext ctx, ulong tag, Command c)
    {
        if (!c.Ok)
        {
            RefusedDmaCommands++;
            RefusedDma.Add((c.Cmd.Sector, c.Cmd.Op));
        }
        if (c.Cmd.Op == BlockOpcode.Write && c.Ok) Transfer(ctx, tag, c, read: false);
        else Finish(ctx, tag, c); // a read's data landed (or not); a write that could not read its data stops here
    }

    private void Transfer(ISimContext ctx, ulong tag, Command c, bool read)
    {
        ref SimTime free = ref read ? ref _readFree : ref _writeFree;
        var start = free > ctx.Now ? free : ctx.Now;
        free = start + Settings.ChannelTime(read, c.Bytes);
        ctx.Schedule(free - ctx.Now, KindChannelDone, (long)tag);
    }

    private void OnMediaDone(ISimContext ctx, ulong tag)
    {
        var c = _commands[tag];
        switch (c.Cmd.Op)
        {
            case BlockOpcode.Read: Transfer(ctx, tag, c, read: true); break;
            case BlockOpcode.Write:
                Media.Write(c.Cmd.Sector * (ulong)Settings.SectorBytes, c.Data);
                BytesWritten += c.Bytes;
                Finish(ctx, tag, c);
                break;
            default: Finish(ctx, tag, c); break;
        }
    }

    private void OnChannelDone(ISimContext ctx, ulong tag)
    {
        var c = _commands[tag];
        if (c.Cmd.Op == BlockOpcode.Write) { ctx.Schedule(Settings.WriteLatency, KindMediaDone, (long)tag); return; }
        c.Data = new byte[c.Bytes];
        Media.Read(c.Cmd.Sector * (ulong)Settings.SectorBytes, c.Data);
        BytesRead += c.Bytes;
        Dma(ctx, tag, c, write: true);
    }

    private void Finish(ISimContext ctx, ulong tag, Command c)
    {
        _commands.Remove(tag);
        _active--;
        ctx.Send(c.Requester, DeviceKinds.BlockComplete, (long)c.Cmd.Tag, new BlockCompletion { Tag = c.Cmd.Tag, Ok = c.Ok, Bytes = c.Ok ? (uint)c.Bytes : 0 });
        if (_waiting.Count > 0) Start(ctx, _waiting.Dequeue());
    }
}
