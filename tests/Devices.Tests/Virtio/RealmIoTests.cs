using VirtCca.Devices.Memory;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Devices.Virtio.Swiotlb;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>Realm I/O through the SWIOTLB: what is bounced, what it costs, what happens when slots run out or the host aims a DMA at protected memory.</summary>
public sealed class RealmIoTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private const int N = 8192;
    private static readonly byte[] Payload = Enumerable.Range(0, N).Select(i => (byte)(i * 13 + 1)).ToArray();

    private static BlkRig One(bool realm, BlockOp op, bool copyOnMapEveryDirection = true)
    {
        var rig = new BlkRig { Realm = realm, Swiotlb = new SwiotlbSettings { PoolBytes = 1 << 20, CopyOnMapEveryDirection = copyOnMapEveryDirection } };
        rig.Media.Add((40, Payload));
        var model = rig.Build((r, s) => s.Actions.Add((SimTime.Zero, () =>
        {
            if (op == BlockOp.Write) r.DriverMemory.Write(BlkRig.Buffer(0), Payload);
            return r.Driver.Submit(new BlockRequest(1, op, op == BlockOp.Write ? 80UL : 40UL, BlkRig.Buffer(0), N));
        })));
        SequentialEngine.Run(model, new KernelSettings());
        return rig;
    }

    private static long Done(BlkRig rig) => rig.Stub.Completions.Single().Time;

    /// <summary>
    /// Linux ≥ 5.18 copies into the slot on every map: a write bounces its data once (in), a read
    /// twice (in at map, out at unmap); the 16-byte header goes in, the status byte in and out.
    /// A normal VM bounces nothing.
    /// </summary>
    [Fact]
    public void A_realm_request_bounces_exactly_its_bytes_and_a_vm_none()
    {
        var write = One(realm: true, BlockOp.Write);
        Assert.Equal(16 + N + 1 + 1, write.Pool_!.BytesBounced);
        Assert.Equal(4, write.Pool_.Copies);
        var onMedia = new byte[N];
        write.NvmeActor.Media.Read(80 * 512, onMedia);
        Assert.Equal(Payload, onMedia);

        var read = One(realm: true, BlockOp.Read);
        Assert.Equal(16 + N + 1 + N + 1, read.Pool_!.BytesBounced);
        Assert.Equal(5, read.Pool_.Copies);
        Assert.Equal(Payload, read.DriverMemory.ReadBytes(BlkRig.Buffer(0), N)); // the realm's protected buffer got the data
        Assert.Equal(0, read.Pool_.SlotsInUse);
        Assert.Equal(1 + 4 + 1, read.Pool_.HighWaterSlots);                     // 2 KiB slots: header, 8 KiB of data, status
        Assert.True(read.Physical.IsZero(BlkRig.NsBase + BlkRig.Buffer(0), N)); // nothing went to the buffer's shared alias

        Assert.Null(One(realm: false, BlockOp.Read).Pool_);
    }

    [Fact]
    public void Under_the_older_rule_a_read_is_bounced_once()
    {
        Assert.Equal(16 + N + 1, One(realm: true, BlockOp.Read, copyOnMapEveryDirection: false).Pool_!.BytesBounced);
        Assert.Equal(16 + N + 1, One(realm: true, BlockOp.Write, copyOnMapEveryDirection: false).Pool_!.BytesBounced);
    }

    /// <summary>
    /// The realm pays three maps (3 × 300 cycles) and the copies in (16 B → 4, 8 KiB → 2,130, 1 B → 0
    /// cycles at 0.26/B) in its submit step: 3,150 + 3,034 = 6,184 cycles = 2,378,462 ps against
    /// 1,211,538; a read also copies 8 KiB out when it reaps: 3,900 cycles = 1,500,000 ps against
    /// 1,770 = 680,769. Everything else — device, DMA, interrupt — takes the same time.
    /// </summary>
    [Fact]
    public void Bouncing_costs_exactly_its_cycles()
    {
        Assert.Equal(1_166_924, Done(One(true, BlockOp.Write)) - Done(One(false, BlockOp.Write)));
        Assert.Equal(1_166_924 + 819_231, Done(One(true, BlockOp.Read)) - Done(One(false, BlockOp.Read)));
    }

    /// <summary>An 8-slot pool and four 4 KiB writes, each needing 4 slots (header, 2 × data, status): two fit, two wait.</summary>
    private static BlkRig Exhausted(out FactoryModel model)
    {
        var rig = new BlkRig { Realm = true, Swiotlb = new SwiotlbSettings { PoolBytes = 8 * 2048 } };
        model = rig.Build((r, s) =>
        {
            for (int i = 0; i < 4; i++) s.Actions.Add((SimTime.Zero, BlkRig.Submit(r, (ulong)i, BlockOp.Write, (ulong)i * 8, i, 4096)));
        });
        return rig;
    }

    [Fact]
    public void Slot_exhaustion_makes_requests_wait_then_they_complete()
    {
        var rig = Exhausted(out var model);
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(new ulong[] { 0, 1, 2, 3 }, rig.Stub.Completions.Select(c => c.Completion.Id));
        Assert.All(rig.Stub.Completions, c => Assert.Equal(VirtioBlk.StatusOk, c.Completion.Status));
        // Request 2 finds no slot for its header and waits; request 3 queues behind it. The first
        // completion frees 4 slots: request 2 starts, request 3 tries and waits again; the next frees its.
        Assert.Equal(2, rig.Pool_!.SlotWaits);
        Assert.Equal(2, rig.Pool_.MapFailures);
        Assert.Equal(8, rig.Pool_.HighWaterSlots);
        Assert.Equal(0, rig.Pool_.SlotsInUse);
        Assert.Equal(0, rig.Driver.Waiting);
        Assert.Equal(4 * (16 + 4096 + 1 + 1), rig.Pool_.BytesBounced);                 // no copy was wasted on a failed map
    }

    /// <summary>
    /// The host maps one page of the realm's bounce pool, in the device's stage 2, onto the realm's
    /// protected memory. The NVMe's DMA into it is refused by the TZASC; that request completes with
    /// IOERR and is reported, the protected page is untouched, and the other requests complete.
    /// </summary>
    private static BlkRig Hostile(out FactoryModel model)
    {
        var rig = new BlkRig { Realm = true, ProtectedIova = BlkRig.Pool + 0x1000 };
        rig.Media.Add((40, Payload));
        model = rig.Build((r, s) =>
        {
            for (int i = 0; i < 3; i++) s.Actions.Add((SimTime.Zero, BlkRig.Submit(r, (ulong)i, BlockOp.Read, 40, i, 4096)));
        });
        return rig;
    }

    [Fact]
    public void A_dma_into_protected_memory_is_refused_and_reported_while_the_others_go_on()
    {
        var rig = Hostile(out var model);
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(new[] { (0UL, VirtioBlk.StatusIoErr), (1UL, VirtioBlk.StatusOk), (2UL, VirtioBlk.StatusOk) },
            rig.Stub.Completions.Select(c => (c.Completion.Id, c.Completion.Status)));
        Assert.Equal(new[] { (40UL, BlockOpcode.Read) }, rig.NvmeActor.RefusedDma);
        Assert.Equal(1, rig.BackendActor.Counters.Errors);
        Assert.Equal("the device's DMA for sector 40 was refused", rig.BackendActor.Counters.LastError);
        Assert.Equal(1, rig.TzascActor.Controller.RefusedAccesses);
        Assert.True(rig.Physical.IsZero(BlkRig.SecureBase + BlkRig.Pool + 0x1000, 0x1000));
        Assert.Equal(Payload[..4096], rig.DriverMemory.ReadBytes(BlkRig.Buffer(1), 4096));
        Assert.Equal(Payload[..4096], rig.DriverMemory.ReadBytes(BlkRig.Buffer(2), 4096));
    }

    [Fact]
    public void Both_engines_agree_on_exhaustion_and_refusal()
    {
        foreach (var build in new Func<(BlkRig, FactoryModel)>[] { () => (Exhausted(out var m), m), () => (Hostile(out var m), m) })
        {
            var (a, ma) = build();
            var seq = SequentialEngine.Run(ma, new KernelSettings());
            var (b, mb) = build();
            var act = LocalEngine.Run(mb, new KernelSettings { Partitions = 3, Threads = 2 }, fx.System);
            Assert.Equal(seq.Digest, act.Digest);
            Assert.Equal(a.Log, b.Log);
        }
    }
}
