using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Smmu;

/// <summary>
/// SMMU costs in cycles (costs.md §8.3, "assumed"): a stage-2 walk on an IOTLB miss (4 DRAM
/// references), and an invalidation command with its CMD_SYNC (smmu.strict_inval).
/// </summary>
public sealed record SmmuCosts(long FrequencyHz = 2_600_000_000, long IotlbMissCycles = 1_040, long InvalidationCycles = 2_600)
{
    public SimTime IotlbMiss => SimTime.FromCycles(IotlbMissCycles, FrequencyHz);
    public SimTime Invalidation => SimTime.FromCycles(InvalidationCycles, FrequencyHz);
}

/// <summary>
/// The SMMU as a kernel component. A DMA is split per page (<see cref="DmaSplit"/>); each part is
/// translated by the stream table and sent to the TZASC with its STE's security, and the device
/// gets one reply when all parts are back. Translation faults go to the event queue and fail the
/// DMA. Commands (<see cref="SmmuCommand"/>) are answered with a MemReply: ok unless refused. An
/// invalidation (TLBI, CFGI, or an unmap under strict invalidation) costs
/// <see cref="SmmuCosts.Invalidation"/>; stage-2 and STE writes are the software's memory writes
/// and cost nothing here.
/// </summary>
public sealed class SmmuActor(StreamTable table, int tzasc, SmmuCosts costs) : Component
{
    public const int KindDma = DeviceKinds.SmmuDma, KindCommand = DeviceKinds.SmmuCommand;
    private readonly Dictionary<ulong, (PendingDma Dma, int Offset)> _parts = new();
    private ulong _nextTag;

    public StreamTable Table { get; } = table;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case TzascActor.KindReply: OnPartReply(ctx, ev.PayloadAs<MemReply>()); break;
            case KindDma: OnDma(ctx, ev.Source, ev.PayloadAs<DmaRequest>()); break;
            case KindCommand: OnCommand(ctx, ev.Source, ev.PayloadAs<SmmuCommand>()); break;
            default: throw new InvalidOperationException($"SmmuActor got event kind {ev.Kind}");
        }
    }

    private void OnDma(ISimContext ctx, int device, DmaRequest dma)
    {
        int size = dma.Write ? dma.Data.Length : (int)dma.Size;
        var pending = new PendingDma(device, dma.Tag, size, read: !dma.Write);
        if (size == 0) pending.Fail();
        foreach (var (iova, offset, length) in DmaSplit.Pages(dma.Iova, size))
        {
            long missesBefore = Table.IotlbMisses;
            if (Table.Translate(dma.Stream, dma.SecureStream, iova, (ulong)length) is not { } t) { pending.Fail(); continue; }
            var walk = Table.IotlbMisses > missesBefore ? costs.IotlbMiss : SimTime.Zero; // each part walks on its own; walks overlap
            ulong tag = _nextTag++;
            _parts[tag] = (pending, offset);
            pending.Outstanding++;
            IMessage request = dma.Write
                ? new MemWrite { Tag = tag, Address = t.Pa, Data = ByteString.CopyFrom(dma.Data.Span.Slice(offset, length)), Secure = t.Secure }
                : new MemRead { Tag = tag, Address = t.Pa, Size = (uint)length, Secure = t.Secure };
            ctx.Send(tzasc, dma.Write ? TzascActor.KindWrite : TzascActor.KindRead, (long)tag, request, walk);
        }
        if (pending.Outstanding == 0) Answer(ctx, pending); // every part faulted: nothing went to the TZASC
    }

    private void OnPartReply(ISimContext ctx, MemReply reply)
    {
        if (!_parts.Remove(reply.Tag, out var part)) throw new InvalidOperationException($"TZASC reply with unknown tag {reply.Tag}");
        part.Dma.Land(part.Offset, reply.Ok, reply.Data.Span);
        if (part.Dma.Outstanding == 0) Answer(ctx, part.Dma);
    }

    private static void Answer(ISimContext ctx, PendingDma dma) =>
        ctx.Send(dma.Device, TzascActor.KindReply, (long)dma.Tag, new MemReply { Tag = dma.Tag, Ok = dma.Ok, Data = ByteString.CopyFrom(dma.Data) });

    private void OnCommand(ISimContext ctx, int source, SmmuCommand c)
    {
        var (ok, cost) = c.Op switch
        {
            SmmuOp.ConfigureSte => (Table.Configure(c.Stream, new StreamTableEntry(c.SecureStream, ModeOf(c.Mode)), c.Secure), SimTime.Zero),
            SmmuOp.Map => (Table.Map(c.Stream, c.SecureStream, c.Iova, c.Pa, c.Secure), SimTime.Zero),
            SmmuOp.Unmap => (Table.Unmap(c.Stream, c.SecureStream, c.Iova, c.Secure), Table.StrictInvalidation ? costs.Invalidation : SimTime.Zero),
            SmmuOp.TlbiS2Ipa => (Table.InvalidatePage(c.Stream, c.SecureStream, c.Iova, c.Secure), costs.Invalidation),
            SmmuOp.CfgiSte => (Table.InvalidateStream(c.Stream, c.SecureStream, c.Secure), costs.Invalidation),
            _ => (false, SimTime.Zero),
        };
        ctx.Send(source, TzascActor.KindReply, (long)c.Tag, new MemReply { Tag = c.Tag, Ok = ok }, ok ? cost : SimTime.Zero);
    }

    private static StreamMode ModeOf(SteMode mode) => mode switch
    {
        SteMode.Bypass => StreamMode.Bypass,
        SteMode.Stage2 => StreamMode.Stage2,
        _ => StreamMode.Abort,
    };
}
