using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>Several guests on one machine: realms and normal VMs side by side, each with its own numbers.</summary>
public sealed class MultiGuestTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static IReadOnlyList<Op>[] PingPong(int rounds) =>
    [
        [new Loop(rounds, [new Compute(5_000), new SendIpi(1), new WaitInterrupt(), new Mmio(0x0900_0000, Write: true)])],
        [new Loop(rounds, [new WaitInterrupt(), new Compute(3_000), new Hypercall(), new SendIpi(0)])],
    ];

    private static GuestSpec Guest(string name, PlatformConfiguration c, int[]? pins = null) =>
        new() { Name = name, Configuration = c, Programs = PingPong(10), Pins = pins };

    private static MachineSpec FourGuests(PlatformConfiguration realms, MachinePlacement placement = MachinePlacement.OneGroup) => new()
    {
        Platform = new PlatformSettings(), Placement = placement,
        Guests = [Guest("r1", realms), Guest("vm1", PlatformConfiguration.Baseline), Guest("r2", realms), Guest("vm2", PlatformConfiguration.Baseline)],
    };

    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void Two_realms_and_two_vms_run_side_by_side_the_same_on_both_engines_and_any_partitions(PlatformConfiguration realms)
    {
        var s = new Machine(FourGuests(realms));
        var seq = SequentialEngine.Run(s.Model, new KernelSettings());
        foreach (var placement in new[] { MachinePlacement.OneGroup, MachinePlacement.ByGuest })
            foreach (int partitions in new[] { 1, 2, 3 })
            {
                var a = new Machine(FourGuests(realms, placement));
                var r = LocalEngine.Run(a.Model, new KernelSettings { Threads = 2, Partitions = partitions }, fx.System);
                Assert.Equal((seq.Digest, seq.Events), (r.Digest, r.Events));
            }
        Assert.Equal(8, s.Pes.Length);
        Assert.Equal(2, s.Tmm().Rmm.Realms.Count);
        Assert.All(s.Vcpus, v => Assert.True(v.Finished));
        Assert.Empty(s.Tmm().Rmm.CheckInvariants());
    }

    [Fact]
    public void A_guests_numbers_do_not_depend_on_the_neighbours_it_shares_nothing_but_uncontended_hardware_with()
    {
        var shared = new Machine(FourGuests(PlatformConfiguration.VirtccaSel2));
        SequentialEngine.Run(shared.Model, new KernelSettings());
        var alone = new Machine(new MachineSpec { Platform = new PlatformSettings(), Guests = [Guest("r2", PlatformConfiguration.VirtccaSel2)] });
        SequentialEngine.Run(alone.Model, new KernelSettings());
        var mine = new MachineModel(shared).Metrics().Where(m => m.Key.StartsWith("guest.r2.")).ToDictionary(m => m.Key, m => m.Value);
        var solo = new MachineModel(alone).Metrics().Where(m => m.Key.StartsWith("guest.r2.")).ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(solo, mine);
        Assert.True(mine["guest.r2.exits.total"] > 0 && mine["guest.r2.time.tmm_ps"] > 0);
        // The machine's totals are the guests' sums.
        var total = new MachineModel(shared).Metrics().ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(total["exits.total"], new[] { "r1", "vm1", "r2", "vm2" }.Sum(g => total[$"guest.{g}.exits.total"]));
        Assert.Equal(0, total["guest.vm1.time.tmm_ps"]);
    }

    [Fact]
    public void Placed_by_guest_each_vm_is_a_group_and_the_realms_share_the_tmms()
    {
        var m = new Machine(FourGuests(PlatformConfiguration.VirtccaSel2, MachinePlacement.ByGuest));
        Assert.Equal([0, 1, 0, 2], m.Placement.GroupOfGuest(m.Spec));
        int GroupOf(int component) => m.Topology.PlacementGroups[component];
        Assert.Equal(0, GroupOf(m.TmmId));
        Assert.All(m.VcpuIds[1].Concat([m.VmmIds[1]]).Concat(m.Placement.PesOfGuest(1).Select(p => m.PeIds[p])), c => Assert.Equal(1, GroupOf(c)));
        Assert.All(m.VcpuIds[2], c => Assert.Equal(0, GroupOf(c)));
        Assert.Equal([0, 0, 0, 0], new Machine(FourGuests(PlatformConfiguration.VirtccaSel2)).Placement.GroupOfGuest(FourGuests(PlatformConfiguration.VirtccaSel2)));
        // Two VMs on the same PEs must share a group (a vCPU stays in its PE's partition).
        var shared = new MachineSpec
        {
            Platform = new PlatformSettings(), Pes = 4, Placement = MachinePlacement.ByGuest,
            Guests = [Guest("a", PlatformConfiguration.Baseline, [0, 1]), Guest("b", PlatformConfiguration.Baseline, [2, 3]), Guest("c", PlatformConfiguration.Baseline, [1, 2])],
        };
        Assert.Equal([1, 1, 1], new Machine(shared).Placement.GroupOfGuest(shared));
        // A VM with a virtio device joins the shared group (the I/O parts write its rings); a machine under attack is one group.
        var four = FourGuests(PlatformConfiguration.VirtccaSel2, MachinePlacement.ByGuest);
        var withDisk = four with { Guests = [.. four.Guests.Select((g, i) => i == 3 ? g with { Devices = [new Launcher.Composition.Io.DeviceSpec { Name = "vd0", Type = Launcher.Composition.Io.DeviceType.VirtioBlk }] } : g)] };
        Assert.Equal([0, 1, 0, 0], new Machine(withDisk).Placement.GroupOfGuest(withDisk));
        var attacked = four with { Host = new HostSpec { Attacks = [new Attacks.AttackSpec("program-tzasc")] } };
        Assert.Equal([0, 0, 0, 0], new Machine(attacked).Placement.GroupOfGuest(attacked));
    }

    [Fact]
    public void Realms_of_both_configurations_on_one_machine_are_refused()
    {
        var spec = new MachineSpec { Platform = new PlatformSettings(), Guests = [Guest("a", PlatformConfiguration.VirtccaSel2), Guest("b", PlatformConfiguration.VirtccaEl3)] };
        var e = Assert.Throws<ArgumentException>(() => new Machine(spec));
        Assert.Contains("S-EL2", e.Message);
    }

    [Fact]
    public void Guests_pinned_to_the_same_pes_share_them()
    {
        var spec = new MachineSpec
        {
            Platform = new PlatformSettings(), Pes = 2,
            Guests = [Guest("r", PlatformConfiguration.VirtccaSel2, [0, 1]), Guest("vm", PlatformConfiguration.Baseline, [0, 1])],
        };
        var m = new Machine(spec);
        SequentialEngine.Run(m.Model, new KernelSettings());
        Assert.All(m.Vcpus, v => Assert.True(v.Finished));
        Assert.True(m.Kvm(0, guest: 0).WaitPicoseconds + m.Kvm(0, guest: 1).WaitPicoseconds > 0);
        Assert.All(m.Pes, p => Assert.Equal(p.Ledger.Cursor, p.Ledger.Breakdown.Total));
    }
}
