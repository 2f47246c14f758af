using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;

namespace VirtCca.Devices.Tests;

public sealed class SmmuTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("smmu-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private const ulong Secret = 0x1_0000_0000;

    private sealed class Device(int smmu, DmaRequest[] script, List<string> log) : Component
    {
        public override void Start(ISimContext ctx)
        {
            for (int i = 0; i < script.Length; i++) ctx.Schedule(SimTime.FromMicroseconds(i), 1, i);
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            if (ev.Kind == 1) { ctx.Send(smmu, SmmuActor.KindDma, data: script[ev.Arg].ToByteArray()); return; }
            var r = ev.PayloadAs<MemReply>();
            log.Add($"{ev.Time}:{r.Tag}:{(r.Ok ? "ok" : "bus-error")}");
        }
    }


    private static (FactoryModel, List<string>, Func<SmmuActor>, Func<TzascActor>) Build()
    {
        var log = new List<string>();
        SmmuActor? smmu = null;
        TzascActor? tz = null;
        var b = new Topology.Builder();
        int dev = b.Add("nic"), s = b.Add("smmu"), t = b.Add("tzasc");
        b.Link(dev, s, SimTime.FromNanoseconds(50)).Link(s, t, SimTime.FromNanoseconds(50));
        DmaRequest[] script =
        [
            new() { Tag = 1, Stream = 1, Iova = 0x10, Write = true, Data = ByteString.CopyFrom(5) },   // NS stream mapped onto secure memory
            new() { Tag = 2, Stream = 2, SecureStream = true, Iova = Secret, Write = true, Data = ByteString.CopyFrom(7) }, // secure stream, bypass
            new() { Tag = 3, Stream = 1, Iova = 0x10, Size = 1 },                                      // NS read: refused too (IOTLB hit now)
            new() { Tag = 4, Stream = 3, Iova = 0, Size = 1 },                                         // no stream table entry
        ];
        var model = new FactoryModel("test", b.Build(), id =>
        {
            if (id == dev) return new Device(s, script, log);
            if (id == s)
            {
                var table = new StreamTable();
                var ns = new StreamTableEntry(secure: false, StreamMode.Stage2);
                ns.Stage2[0] = Secret / StreamTable.Page;
                table.Configure(1, ns, bySecureWorld: false);
                table.Configure(2, new StreamTableEntry(secure: true, StreamMode.Bypass), bySecureWorld: true);
                return smmu = new SmmuActor(table, t, new SmmuCosts());
            }
            var tzc = new Tzc400();
            tzc.Program(1, new TzascRegion(true, Secret, Secret + 0x10_0000, RegionAccess.SecureOnly), secure: true, out _);
            return tz = new TzascActor(tzc, new PhysicalMemory(), new TzascCosts());
        });
        return (model, log, () => smmu!, () => tz!);
    }

    [Fact]
    public void Dma_from_a_non_secure_stream_into_secure_memory_is_refused_and_faults_are_recorded()
    {
        var (model, log, smmu, tz) = Build();
        LocalEngine.Run(model, new KernelSettings { Partitions = 3, Threads = 2 }, _system);
        // 50 ns per hop, 4 hops; the first translation of a page walks stage 2: 1040 cycles at 2.6 GHz = 400 ns.
        Assert.Equal(new[] { "600000:1:bus-error", "1200000:2:ok", "2200000:3:bus-error", "3100000:4:bus-error" }, log);
        var secret = new byte[1];
        tz().Dram.Read(Secret, secret);
        Assert.Equal(7, secret[0]);                       // only the secure stream's write landed
        Assert.Equal(2, tz().Controller.RefusedAccesses);
        Assert.Equal(new SmmuFault(3, 0, "no stream table entry"), smmu().Table.EventQueue.Single());
        Assert.Equal(1, smmu().Table.IotlbMisses);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = SequentialEngine.Run(Build().Item1, new KernelSettings());
        var b = LocalEngine.Run(Build().Item1, new KernelSettings { Partitions = 3, Threads = 2 }, _system);
        Assert.Equal(a.Digest, b.Digest);
    }

    [Fact]
    public void Abort_streams_fault_and_one_translation_stays_within_a_page()
    {
        var table = new StreamTable();
        table.Configure(9, new StreamTableEntry(false, StreamMode.Abort), bySecureWorld: false);
        table.Configure(1, new StreamTableEntry(false, StreamMode.Bypass), bySecureWorld: false);
        Assert.Null(table.Translate(9, 0x1000, 4));
        Assert.Null(table.Translate(1, 0x1FFC, 8));
        Assert.Equal(new[] { "stream is configured to abort", "a transaction must stay within one 4 KiB page" }, table.EventQueue.Select(f => f.Reason));
    }
}
