using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Smmu;

/// <summary>SMMU costs in cycles (costs.md §8.3, "assumed"): a stage-2 walk on an IOTLB miss (4 DRAM references).</summary>
public sealed record SmmuCosts(long FrequencyHz = 2_600_000_000, long IotlbMissCycles = 1_040)
{
    public SimTime IotlbMiss => SimTime.FromCycles(IotlbMissCycles, FrequencyHz);
}

/// <summary>
/// The SMMU as a kernel component: DMA requests are translated by the stream table, then sent to
/// the TZASC with the stream's security; its answer goes back to the device. A translation fault
/// is recorded in the event queue and answered with a bus error.
/// </summary>
public sealed class SmmuActor(StreamTable table, int tzasc, SmmuCosts costs) : Component
{
    public const int KindDma = DeviceKinds.SmmuDma, KindCommand = DeviceKinds.SmmuCommand;
    private readonly Dictionary<ulong, (int Device, ulong Tag)> _pending = new();
    private ulong _nextTag;

    public StreamTable Table { get; } = table;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind == TzascActor.KindReply)
        {
            var reply = MemReply.Parser.ParseFrom(ev.Data ?? []);
            if (!_pending.Remove(reply.Tag, out var origin)) throw new InvalidOperationException($"TZASC reply with unknown tag {reply.Tag}");
            reply.Tag = origin.Tag;
            ctx.Send(origin.Device, TzascActor.KindReply, (long)origin.Tag, reply.ToByteArray());
            return;
        }
        if (ev.Kind != KindDma) throw new InvalidOperationException($"SmmuActor got event kind {ev.Kind}");
        var dma = DmaRequest.Parser.ParseFrom(ev.Data ?? []);
        long missesBefore = Table.IotlbMisses;
        var translated = Table.Translate(dma.Stream, dma.Iova, dma.Write ? (ulong)dma.Data.Length : dma.Size);
        if (translated is not { } t)
        {
            ctx.Send(ev.Source, TzascActor.KindReply, (long)dma.Tag, new MemReply { Tag = dma.Tag, Ok = false }.ToByteArray());
            return;
        }
        var walk = Table.IotlbMisses > missesBefore ? costs.IotlbMiss : SimTime.Zero;
        ulong tag = _nextTag++;
        _pending[tag] = (ev.Source, dma.Tag);
        IMessage request = dma.Write
            ? new MemWrite { Tag = tag, Address = t.Pa, Data = dma.Data, Secure = t.Secure }
            : new MemRead { Tag = tag, Address = t.Pa, Size = dma.Size, Secure = t.Secure };
        ctx.Send(tzasc, dma.Write ? TzascActor.KindWrite : TzascActor.KindRead, (long)tag, request.ToByteArray(), walk);
    }
}
