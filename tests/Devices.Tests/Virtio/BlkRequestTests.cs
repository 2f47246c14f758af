using VirtCca.Devices.Memory;
using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>A virtio-blk request from the guest's submit to its completion, at hand-computed times, on both engines.</summary>
public sealed class BlkRequestTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static BlkRig OneRead(out FactoryModel model, byte[]? media = null)
    {
        var rig = new BlkRig();
        if (media != null) rig.Media.Add((8, media));
        model = rig.Build((r, s) => s.Actions.Add((SimTime.Zero, BlkRig.Submit(r, 7, BlockOp.Read, 8, 0, 4096))));
        return rig;
    }

    /// <summary>
    /// Hand-computed, 2.6 GHz everywhere, links 100 ns (guest, backend, NVMe, SMMU) and 50 ns (SMMU–TZASC):
    /// <list type="bullet">
    /// <item>guest submit: 3,000 + 3 descriptors × 40 + kick_prepare 30 = 3,150 cycles = 1,211,538 ps; then the notify exit, 1,660 cycles = 638,462 ps, and the link: the backend is kicked at 1,950,000.</item>
    /// <item>backend (asleep): wake 4,400 + notification 300 + submit 1,430 = 6,130 cycles = 2,357,692 → the command leaves at 4,307,692, reaches the NVMe at 4,407,692.</item>
    /// <item>NVMe read: 85 µs access, then the read channel for max(4096 B at 3.2 GB/s = 1.28 µs, 1/490 k IOPS = 2,040,816 ps) → 91,448,508; its DMA: link 100 ns, an IOTLB miss (1,040 cycles = 400 ns), 50 ns to the TZASC and 50 back, 100 ns to the NVMe: 92,148,508; the completion reaches the backend at 92,248,508.</item>
    /// <item>backend (asleep again): wake 4,400 + complete 1,430 = 5,830 cycles = 2,242,308 → 94,490,816; then the signal, 500 cycles = 192,308 → 94,683,124; the interrupt reaches the guest at 94,783,124.</item>
    /// <item>guest: interrupt 270 + reap 1,500 = 1,770 cycles = 680,769: the request completes at 95,463,893.</item>
    /// </list>
    /// </summary>
    [Fact]
    public void A_read_completes_at_the_hand_computed_time_with_the_device_data()
    {
        var media = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        var rig = OneRead(out var model, media);
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(new[] { "95463893:7:0" }, rig.Log);
        Assert.Equal(media, rig.DriverMemory.ReadBytes(BlkRig.Buffer(0), 4096));
        Assert.Equal(1, rig.Stub.Notifications);
        Assert.Equal(1, rig.Stub.Interrupts);
        Assert.Equal(2, rig.BackendActor.Thread.Wakeups);
        Assert.Equal(0, rig.BackendActor.Counters.Errors);
    }

    [Fact]
    public void Both_engines_give_the_same_times_and_digest()
    {
        var a = OneRead(out var ma);
        var seq = SequentialEngine.Run(ma, new KernelSettings());
        var b = OneRead(out var mb);
        var act = LocalEngine.Run(mb, new KernelSettings { Partitions = 3, Threads = 2 }, fx.System);
        Assert.Equal(seq.Digest, act.Digest);
        Assert.Equal(a.Log, b.Log);
        Assert.Equal(new[] { "95463893:7:0" }, b.Log);
    }

    /// <summary>A write carries the guest's bytes to the media; under user mode (QEMU) the backend's work is the heavier one.</summary>
    [Fact]
    public void A_write_lands_on_the_media_and_a_user_backend_takes_longer()
    {
        var data = Enumerable.Range(0, 8192).Select(i => (byte)(i ^ 0x5A)).ToArray();
        string Run(VirtCca.Devices.Virtio.Backend.BackendMode mode, out BlkRig rig)
        {
            var r = rig = new BlkRig { BackendSettings = new() { Mode = mode } };
            var m = r.Build((g, s) => s.Actions.Add((SimTime.Zero, () =>
            {
                g.DriverMemory.Write(BlkRig.Buffer(1), data);
                return g.Driver.Submit(new BlockRequest(1, BlockOp.Write, 100, BlkRig.Buffer(1), 8192));
            })));
            SequentialEngine.Run(m, new KernelSettings());
            return r.Log.Single();
        }
        string vhost = Run(VirtCca.Devices.Virtio.Backend.BackendMode.Vhost, out var v);
        string user = Run(VirtCca.Devices.Virtio.Backend.BackendMode.User, out _);
        var written = new byte[8192];
        v.NvmeActor.Media.Read(100 * 512, written);
        Assert.Equal(data, written);
        // Write path: DMA out of memory first (two pages: two walks overlapping), then the write channel
        // (max(8192 B at 1.05 GB/s = 7,801,905 ps, 1/38 k IOPS = 26,315,789 ps)), then 20 µs program latency.
        // User mode's three host jobs, each rounded to the picosecond: kick 31,360 against 6,130 cycles
        // (12,061,538 − 2,357,692), completion 27,020 against 5,830 (10,392,308 − 2,242,308), signal
        // 1,000 against 500 (384,615 − 192,308).
        long tv = long.Parse(vhost.Split(':')[0]), tu = long.Parse(user.Split(':')[0]);
        Assert.Equal(9_703_846 + 8_150_000 + 192_307, tu - tv);
    }

    /// <summary>On a PE the host thread's three jobs (kick, completion, signal) each take a 100 ns trip there and back.</summary>
    [Fact]
    public void A_host_thread_on_a_pe_pays_the_trips_to_it()
    {
        var rig = new BlkRig { BackendSettings = new() { HostCpu = new VirtCca.Devices.Virtio.Backend.HostCpu(Pe: BlkRig.HostPe) } };
        var model = rig.Build((r, s) => s.Actions.Add((SimTime.Zero, BlkRig.Submit(r, 7, BlockOp.Read, 8, 0, 4096))));
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(new[] { $"{95_463_893 + 3 * 200_000}:7:0" }, rig.Log);
        Assert.Equal(3, rig.BackendActor.Thread.JobsRun);
    }
}
