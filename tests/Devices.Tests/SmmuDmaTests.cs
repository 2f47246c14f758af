using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;

namespace VirtCca.Devices.Tests;

/// <summary>The SMMU component: page-crossing DMA, commands, invalidation and its cost, at exact simulated times.</summary>
public sealed class SmmuDmaTests
{
    private const ulong Secret = 0x40_0000;

    /// <summary>driver → SMMU → TZASC, 50 ns per link. The TZASC protects [Secret, Secret + 4 KiB) for the secure world.</summary>
    private static (List<string> Log, StreamTable Table, TzascActor Tzasc) Run(StreamTable table, (int, IMessage)[] script, int spacingUs = 1)
    {
        var log = new List<string>();
        TzascActor? tz = null;
        var b = new Topology.Builder();
        int dev = b.Add("driver"), s = b.Add("smmu"), t = b.Add("tzasc");
        b.Link(dev, s, SimTime.FromNanoseconds(50)).Link(s, t, SimTime.FromNanoseconds(50));
        var model = new FactoryModel("test", b.Build(), id =>
        {
            if (id == dev) return new Requester(s, script, log, spacingUs);
            if (id == s) return new SmmuActor(table, t, new SmmuCosts());
            var tzc = new Tzc400();
            tzc.Program(1, new TzascRegion(true, Secret, Secret + 0x1000, RegionAccess.SecureOnly), secure: true, out _);
            return tz = new TzascActor(tzc, new PhysicalMemory(), new TzascCosts());
        });
        SequentialEngine.Run(model, new KernelSettings());
        return (log, table, tz!);
    }

    private static byte[] Bytes(TzascActor tz, ulong address, int n)
    {
        var buf = new byte[n];
        tz.Dram.Read(address, buf);
        return buf;
    }

    private static (int, IMessage) Dma(ulong tag, ulong iova, byte[]? write = null, uint read = 0, bool secureStream = false) =>
        (SmmuActor.KindDma, new DmaRequest { Tag = tag, Stream = 1, SecureStream = secureStream, Iova = iova, Write = write != null, Data = ByteString.CopyFrom(write ?? []), Size = read });

    private static (int, IMessage) Command(ulong tag, SmmuOp op, ulong iova = 0, ulong pa = 0, bool secureStream = false, bool secure = false) =>
        (SmmuActor.KindCommand, new SmmuCommand { Tag = tag, Op = op, Stream = 1, SecureStream = secureStream, Iova = iova, Pa = pa, Mode = SteMode.Stage2, Secure = secure });

    [Fact]
    public void A_page_crossing_dma_is_split_and_each_page_is_translated_and_checked()
    {
        var table = new StreamTable();
        table.Configure(1, new StreamTableEntry(false, StreamMode.Stage2), bySecureWorld: false);
        table.Map(1, false, 0x0000, 0x10_0000, bySecureWorld: false);   // IOVA-contiguous, physically scattered
        table.Map(1, false, 0x1000, 0x30_0000, bySecureWorld: false);
        table.Map(1, false, 0x2000, Secret, bySecureWorld: false);      // a non-secure stream aimed at secure memory
        var (log, _, tz) = Run(table,
        [
            Dma(1, 0xFFC, write: [1, 2, 3, 4, 5, 6, 7, 8]),
            Dma(2, 0xFFE, read: 4),
            Dma(3, 0x1FFE, write: [9, 9, 9, 9]),
            Dma(4, 0x2FFF, read: 2),
        ]);
        // Two walks (400 ns each) overlap; 4 links of 50 ns. A DMA is answered when its last part is.
        Assert.Equal(new[]
        {
            "600000:1:ok:",
            "1200000:2:ok:03040506",        // both pages cached now
            "2600000:3:bus-error:",         // the second page is refused by the TZASC...
            "3200000:4:bus-error:",         // page 2 refused, page 3 unmapped: a translation fault
        }, log);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Bytes(tz, 0x10_0FFC, 4));
        Assert.Equal(new byte[] { 5, 6, 7, 8, 0 }, Bytes(tz, 0x30_0000, 5));
        Assert.Equal(new byte[] { 9, 9 }, Bytes(tz, 0x30_0FFE, 2));      // ...but the first page's part landed
        Assert.Equal(new byte[] { 0, 0 }, Bytes(tz, Secret, 2));
        Assert.Equal(2, tz.Controller.RefusedAccesses);
        Assert.Equal(new SmmuFault(1, 0x3000, "no stage-2 mapping"), table.EventQueue.Single());
        Assert.Equal(3, table.IotlbMisses);
    }

    [Fact]
    public void Without_invalidation_an_unmapped_page_stays_reachable_until_tlbi()
    {
        var (log, table, _) = Run(new StreamTable(),
        [
            Command(1, SmmuOp.ConfigureSte),
            Command(2, SmmuOp.Map, iova: 0x0, pa: 0x20_0000),
            Dma(3, 0x10, write: [0xAA]),
            Command(4, SmmuOp.Unmap, iova: 0x0),
            Dma(5, 0x10, read: 1),
            Command(6, SmmuOp.TlbiS2Ipa, iova: 0x0),
            Dma(7, 0x10, read: 1),
        ], spacingUs: 2);
        // Commands: 2 × 50 ns; the walk 400 ns; TLBI + SYNC 2600 cycles = 1 µs.
        Assert.Equal(new[]
        {
            "100000:1:ok:", "2100000:2:ok:", "4600000:3:ok:",
            "6100000:4:ok:",                // a lazy unmap costs nothing...
            "8200000:5:ok:AA",              // ...and the device still reads the unmapped page through the IOTLB
            "11100000:6:ok:",
            "12100000:7:bus-error:",
        }, log);
        Assert.Equal(new SmmuFault(1, 0x10, "no stage-2 mapping"), table.EventQueue.Single());
    }

    [Fact]
    public void Under_strict_invalidation_an_unmap_costs_the_invalidation_and_faults_at_once()
    {
        var (log, table, _) = Run(new StreamTable(strictInvalidation: true),
        [
            Command(1, SmmuOp.ConfigureSte),
            Command(2, SmmuOp.Map, iova: 0x0, pa: 0x20_0000),
            Dma(3, 0x10, write: [0xAA]),
            Command(4, SmmuOp.Unmap, iova: 0x0),
            Dma(5, 0x10, read: 1),
        ], spacingUs: 2);
        Assert.Equal(new[] { "100000:1:ok:", "2100000:2:ok:", "4600000:3:ok:", "7100000:4:ok:", "8100000:5:bus-error:" }, log);
        Assert.Equal(0, table.IotlbEntries);
    }

    [Fact]
    public void Only_the_secure_world_configures_secure_streams()
    {
        var (log, table, tz) = Run(new StreamTable(),
        [
            Command(1, SmmuOp.ConfigureSte, secureStream: true),                                    // from the normal world: refused
            Dma(2, 0x10, read: 1, secureStream: true),                                               // so there is no secure STE
            Command(3, SmmuOp.ConfigureSte, secureStream: true, secure: true),
            Command(4, SmmuOp.Map, iova: 0x0, pa: Secret, secureStream: true, secure: false),        // refused
            Command(5, SmmuOp.Map, iova: 0x0, pa: Secret, secureStream: true, secure: true),
            Dma(6, 0x10, write: [0x5E], secureStream: true),                                         // secure STE: secure memory
            Dma(7, 0x10, write: [0x11]),                                                             // stream 1 in the NS table: none
        ]);
        Assert.Equal(new[]
        {
            "100000:1:bus-error:", "1100000:2:bus-error:", "2100000:3:ok:", "3100000:4:bus-error:",
            "4100000:5:ok:", "5600000:6:ok:", "6100000:7:bus-error:",
        }, log);
        Assert.Equal(2, table.RefusedSecureConfiguration);
        Assert.Equal(new byte[] { 0x5E }, Bytes(tz, Secret + 0x10, 1));
        Assert.Equal(new[] { true, false }, table.EventQueue.Select(f => f.SecureStream));
    }
}
