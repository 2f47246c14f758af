using VirtCca.Devices.Smmu;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Launcher.Composition.Io;
using static VirtCca.Kvm.Tests.Io.IoMachines;

namespace VirtCca.Kvm.Tests.Io;

/// <summary>What the guest's I/O does under load and when things go wrong: suppressed notifications, bounce-slot exhaustion, a refused DMA, a VMM backend, a backend sharing a vCPU's PE.</summary>
public sealed class IoBehaviourTests
{
    private static Machine Run(MachineSpec spec, Func<Component, Component>? tamper = null)
    {
        var m = new Machine(spec);
        SequentialEngine.Run(tamper == null ? m.Model : new FactoryModel("tampered", m.Model.Topology, id => tamper(m.Model.CreateComponent(id))), new KernelSettings());
        Assert.True(m.Vcpus.All(v => v.Finished), "every program ended");
        return m;
    }

    private static long Counter(Machine m, Func<Devices.Virtio.Driver.DriverCounters, long> f) =>
        m.IoRun!.Guests[0]!.Devices.SelectMany(d => d.Queues).Sum(q => f(q.Counters!));

    /// <summary>
    /// 64 reads, 16 in flight: once the worker has been kicked it leaves avail_event where it was while
    /// it serves, so the driver's next adds do not cross it and are not notified — 9 notifications
    /// (each an MMIO exit and an ioeventfd signal) for 64 requests. Without event index the worker's
    /// NO_NOTIFY flag does the same job, but it is set and cleared around every batch and the driver
    /// learns each change one coherence delay late: 30 notifications. One request at a time, every
    /// request is notified either way.
    /// </summary>
    [Theory]
    [InlineData(true, 9, 55)]
    [InlineData(false, 30, 34)]
    public void Event_index_suppresses_notifications_under_load(bool eventIdx, long notified, long suppressed)
    {
        var m = Run(WithDevices(PlatformConfiguration.Baseline, [[new BlockIo(null, false, 4096, Requests: 64, Depth: 16)]], Disk with { EventIdx = eventIdx }));
        Assert.Equal(64, m.IoRun!.Guests[0]!.Metrics.BlkRequests);
        Assert.Equal((notified, suppressed), (Counter(m, c => c.Notifications), Counter(m, c => c.NotificationsSuppressed)));
        Assert.Equal(notified, m.Exits(0, ExitKind.Mmio));                                  // every notify is one MMIO exit
        Assert.Equal(notified, m.IoRun.Backends[0][0][0]!.Counters.Notifications);          // and one ioeventfd signal
        var alone = Run(WithDevices(PlatformConfiguration.Baseline, [[new Loop(64, [new BlockIo(null, false, 4096)])]], Disk with { EventIdx = eventIdx }));
        Assert.Equal((64, 0), (Counter(alone, c => c.Notifications), Counter(alone, c => c.NotificationsSuppressed))); // one at a time: every request is notified
    }

    /// <summary>An 8-slot pool (16 KiB) and 4 KiB writes, 4 in flight: each takes 4 slots (header, two for data, status), so two fit and the rest wait for completions.</summary>
    [Fact]
    public void Bounce_slot_exhaustion_makes_requests_wait_then_complete()
    {
        var spec = WithDevices(PlatformConfiguration.VirtccaSel2, [[new BlockIo(null, true, 4096, Requests: 12, Depth: 4)]], Disk).WithGuest(g => g with { SwiotlbBytes = 16 << 10 });
        var m = Run(spec);
        var io = m.IoRun!.Guests[0]!;
        Assert.Equal((12, 0), (io.Metrics.BlkRequests, io.Metrics.BlkErrors));
        Assert.True(io.Swiotlb!.SlotWaits > 0);
        Assert.Equal(8, io.Swiotlb.HighWaterSlots);
        Assert.Equal(0, io.Swiotlb.SlotsInUse);
        Assert.Equal(12 * (16 + 4096 + 1 + 1), io.Swiotlb.BytesBounced); // a write bounces its data in once; nothing is copied for a map that failed
        Assert.Equal(0, m.IoRun.Guests[0]!.Metrics.BlkErrors);
    }

    /// <summary>
    /// A hostile host maps the realm's bounce pool, in its device's SMMU stream, onto the TMM's secure
    /// pool where realm memory lives: the NVMe device's DMA into it is refused by the TZASC, the request
    /// completes with an I/O error, the refusal is reported, and the realm goes on with its program.
    /// </summary>
    [Fact]
    public void A_dma_into_protected_realm_memory_is_refused_and_the_realm_goes_on()
    {
        var spec = WithDevices(PlatformConfiguration.VirtccaSel2, [[new BlockIo(null, false, 4096), new BlockIo(null, false, 4096), new Compute(2_600)]], Disk);
        var m = new Machine(spec);
        ulong secure = m.Layout.Rmm.SecurePoolBase;
        var layout = m.IoParts.Layouts[0];
        bool once = false;
        Component Tamper(Component c)
        {
            if (c is SmmuActor s && !once)
            {
                once = true; // the first request's data lands in the pool's first page (header slot 0, data slots 1-2): only that page is redirected
                s.Table.Map(MachineIo.StreamOf(0, 0), false, layout.PoolIpa, secure, bySecureWorld: false);
            }
            return c;
        }
        SequentialEngine.Run(new FactoryModel("hostile", m.Model.Topology, id => Tamper(m.Model.CreateComponent(id))), new KernelSettings());
        var io = m.IoRun!.Guests[0]!.Metrics;
        Assert.Equal((2, 1), (io.BlkRequests, io.BlkErrors));
        Assert.Equal(1, m.IoRun.Nvme!.RefusedDmaCommands);
        Assert.Equal(1, m.TzascActor!.Controller.RefusedAccesses);
        Assert.True(m.TzascActor.Dram.IsZero(secure, 4096));              // nothing landed in the secure pool
        Assert.Equal("the device's DMA for sector " + m.IoRun.Nvme.RefusedDma[0].Sector + " was refused", m.IoRun.Backends[0][0][0]!.Counters.LastError);
        Assert.True(m.Vcpus.Single().Finished);                            // the realm read on and computed
        Assert.Equal(3, m.Kvm(0).Vcpu.OpsRetired);
    }

    /// <summary>
    /// The same read with QEMU's virtio-blk instead of vhost-blk: the notify exits to user space
    /// (mmio-user-rt) and QEMU's thread does the heavier work of its device model; the difference is exactly those costs.
    /// </summary>
    [Fact]
    public void A_vmm_backend_costs_exactly_its_user_space_round_trips()
    {
        long Latency(BackendMode mode) => Run(WithDevices(PlatformConfiguration.Baseline, [[new BlockIo(null, false, 4096)]], Disk with { Backend = mode }))
            .IoRun!.Guests[0]!.Metrics.BlkLatency.Max;
        long extra =
            Ps(6_000 - 530) - Ps(1_660 - 530)                   // the exit goes up to the VMM instead of KVM's ioeventfd
            + Ps(4_400 + 4_340 + 22_620) - Ps(4_400 + 300 + 1_430) // QEMU's thread: the user exit's extra cost, its virtio-blk submit
            + Ps(4_400 + 22_620) - Ps(4_400 + 1_430)             // its completion
            + Ps(1_000) - Ps(500);                               // and a write(2) to the irqfd instead of eventfd_signal
        Assert.Equal(extra, Latency(BackendMode.User) - Latency(BackendMode.Vhost));
    }

    /// <summary>A backend whose thread shares the vCPU's PE: its work runs there as host time, preempting the guest, and the request still completes.</summary>
    [Theory]
    [InlineData("baseline")]
    [InlineData("virtcca-sel2")]
    public void A_backend_on_the_vcpus_pe_runs_there_as_host_time(string configuration)
    {
        var m = Run(WithDevices(PlatformConfigurations.Parse(configuration), [[new BlockIo(null, false, 4096, Requests: 8, Depth: 2), new Compute(260_000)]], Disk with { HostPe = 0 }));
        var backend = m.IoRun!.Backends[0][0][0]!;
        Assert.Equal(8, m.IoRun.Guests[0]!.Metrics.BlkRequests);
        Assert.True(backend.Thread.BusyCycles > 0);
        Assert.True(m.Pes[0].Ledger[TimeCategory.Kvm] >= SimTime.FromCycles(backend.Thread.BusyCycles, Hz).Picoseconds);
    }
}
