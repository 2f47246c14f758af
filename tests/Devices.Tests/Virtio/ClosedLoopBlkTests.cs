using System.Diagnostics;
using VirtCca.Devices.Virtio.Driver;
using Xunit.Abstractions;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>
/// A closed loop of 4 KiB reads at queue depth 32 on the sequential engine: every request
/// completes, a realm bounces exactly its bytes, and the run reports its host time. Longer:
/// <c>VIRTCCA_IO_REQUESTS=200000 dotnet test tests/Devices.Tests -c Release --filter ClosedLoopBlk --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ClosedLoopBlkTests(ITestOutputHelper output)
{
    private static readonly int Requests = int.TryParse(Environment.GetEnvironmentVariable("VIRTCCA_IO_REQUESTS"), out int n) ? n : 2_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_request_of_a_closed_loop_completes(bool realm)
    {
        const int depth = 32;
        long issued = depth;
        BlkRig? rig = null;
        rig = new BlkRig
        {
            Realm = realm,
            OnCompletion = c => issued < Requests ? BlkRig.Submit(rig!, (ulong)issued, BlockOp.Read, (ulong)(issued++ % 1000) * 8, (int)(c.Id % depth), 4096) : null,
        };
        var model = rig.Build((r, s) =>
        {
            for (int i = 0; i < depth; i++) s.Actions.Add((SimTime.Zero, BlkRig.Submit(r, (ulong)i, BlockOp.Read, (ulong)i * 8, i, 4096)));
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = SequentialEngine.Run(model, new KernelSettings());
        output.WriteLine($"realm={realm} requests={rig.Stub.Completions.Count} events={result.Events} host_s={sw.Elapsed.TotalSeconds:F2} cpu_s={(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} " +
                         $"simulated_us={result.LastEventTime.Picoseconds / 1e6:F0} notifications={rig.Driver.Counters.Notifications} interrupts={rig.Stub.Interrupts}");
        Assert.Equal(Requests, rig.Stub.Completions.Count);
        Assert.All(rig.Stub.Completions, c => Assert.Equal(VirtioBlk.StatusOk, c.Completion.Status));
        Assert.Equal(realm ? Requests * (16L + 4096 + 1 + 4096 + 1) : 0, rig.Pool_?.BytesBounced ?? 0);
        Assert.Equal(Requests, rig.NvmeActor.Reads);
    }
}
