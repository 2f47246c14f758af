using VirtCca.Launcher.Composition.Io;
using Xunit.Abstractions;

namespace VirtCca.Kvm.Tests.Io;

public sealed class Diag(ITestOutputHelper o)
{
    [Theory]
    [InlineData("baseline")]
    [InlineData("virtcca-sel2")]
    public void Show(string configuration)
    {
        var spec = IoMachines.WithDevices(PlatformConfigurations.Parse(configuration), [[new BlockIo(null, false, 4096, Requests: 3, Depth: 2)]], IoMachines.Disk);
        var m = new Machine(spec);
        var r = SequentialEngine.Run(m.Model, new KernelSettings());
        var io = m.IoRun!.Guests[0]!;
        o.WriteLine($"events {r.Events} end {r.LastEventTime}");
        o.WriteLine($"blk {io.Metrics.BlkRequests} first {io.Metrics.FirstPs} last {io.Metrics.LastPs} lat mean {io.Metrics.BlkLatency.Mean} bounced {io.Swiotlb?.BytesBounced}");
        var b = m.IoRun.Backends[0][0][0]!;
        o.WriteLine($"backend notif {b.Counters.Notifications} irq {b.Counters.Interrupts} req {b.Counters.Requests} err {b.Counters.Errors} {b.Counters.LastError}");
        var d = io.Devices[0].Queues[0].Counters!;
        o.WriteLine($"driver notif {d.Notifications} supp {d.NotificationsSuppressed} irq {d.Interrupts}");
        foreach (var k in Enum.GetValues<ExitKind>()) o.WriteLine($"exit {k} {m.Kvm(0).Exits[(int)k]}");
        o.WriteLine($"wake halted {io.Metrics.WakeHalted.Count} mean {io.Metrics.WakeHalted.Mean} running {io.Metrics.WakeRunning.Count} {io.Metrics.WakeRunning.Mean}");
        o.WriteLine($"nvme reads {m.IoRun.Nvme!.Reads} refused {m.IoRun.Nvme.RefusedDmaCommands}");
    }
}
