using VirtCca.Devices.Virtio.Backend;
using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Devices.Tests.Virtio;

/// <summary>Event-index suppression under load: a busy backend stops the kicks, a busy driver stops the interrupts.</summary>
public sealed class SuppressionTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    /// <summary>32 reads submitted 1 µs apart to a QEMU backend, whose 22,620-cycle (8.7 µs) submit keeps its thread busy.</summary>
    private static BlkRig Burst(bool eventIdx, out FactoryModel model, BackendMode mode = BackendMode.User, VirtioDriverCosts? driver = null)
    {
        var rig = new BlkRig { BackendSettings = new() { Mode = mode, EventIdx = eventIdx }, DriverCosts = driver ?? new() };
        model = rig.Build((r, s) =>
        {
            for (int i = 0; i < 32; i++) s.Actions.Add((SimTime.FromMicroseconds(i), BlkRig.Submit(r, (ulong)i, BlockOp.Read, (ulong)i * 8, i, 4096)));
        });
        return rig;
    }

    [Fact]
    public void Under_load_event_index_removes_notifications()
    {
        var rig = Burst(eventIdx: true, out var model);
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (ulong)i), rig.Stub.Completions.Select(c => c.Completion.Id));
        Assert.All(rig.Stub.Completions, c => Assert.Equal(VirtioBlk.StatusOk, c.Completion.Status));
        var d = rig.Driver.Counters;
        Assert.Equal(32, d.Notifications + d.NotificationsSuppressed);
        // The first request kicks; the backend then pops the others one by one, each 8.7 µs, while the
        // guest adds one per µs: it never runs dry until all 32 are in, so no other kick is needed.
        Assert.Equal(1, d.Notifications);
        Assert.Equal(1, rig.Stub.Notifications);
        Assert.Equal(0, rig.BackendActor.Counters.NotificationsWhileBusy);
        // Completions come 8.7 µs apart, slower than the guest reaps them: one interrupt each.
        Assert.Equal(32, rig.Stub.Interrupts);
    }

    /// <summary>
    /// A guest that reaps slower (10,000 cycles per completion, 3.8 µs) than a vhost backend completes
    /// requests: while it reaps, used_event stays behind and the device raises no interrupt; the next
    /// comes only after the driver re-enables them.
    /// </summary>
    [Fact]
    public void A_driver_busy_reaping_is_not_interrupted_again()
    {
        var rig = Burst(eventIdx: true, out var model, BackendMode.Vhost, new VirtioDriverCosts { BlkCompleteCycles = 10_000 });
        SequentialEngine.Run(model, new KernelSettings());
        Assert.Equal(32, rig.Stub.Completions.Count);
        // 5 interrupts for 32 completions: without suppression (or with a device that ignored used_event) 32.
        Assert.Equal(5, rig.Stub.Interrupts);
        Assert.Equal(5, rig.BackendActor.Counters.Interrupts);
        // Four of them go out when the driver's re-enable (sent at the end of its reaping step) shows
        // the device entries it pushed meanwhile, for which hardware would have signalled at the push.
        Assert.Equal(4, rig.BackendActor.Counters.LateInterrupts);
    }

    [Fact]
    public void Without_event_index_the_flags_suppress_too_and_both_engines_agree()
    {
        var a = Burst(eventIdx: false, out var ma);
        var seq = SequentialEngine.Run(ma, new KernelSettings());
        var b = Burst(eventIdx: false, out var mb);
        var act = LocalEngine.Run(mb, new KernelSettings { Partitions = 3, Threads = 2 }, fx.System);
        Assert.Equal(seq.Digest, act.Digest);
        Assert.Equal(a.Log, b.Log);
        Assert.Equal(32, a.Stub.Completions.Count);
        // The used.flags write that stops kicks reaches the driver 100 ns after the first kick arrives;
        // the driver's second submit decided before that, so it kicked too (and found the device busy).
        // With event index the device needs no write to stop kicks: avail_event stays at 0.
        Assert.Equal(2, a.Driver.Counters.Notifications);
        Assert.Equal(1, a.BackendActor.Counters.NotificationsWhileBusy);
    }
}
