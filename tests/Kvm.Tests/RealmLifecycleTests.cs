using VirtCca.Kvm.Guests;
using VirtCca.Tmm;

namespace VirtCca.Kvm.Tests;

/// <summary>KVM's creation and destruction of a realm, run straight against the RMM model.</summary>
public sealed class RealmLifecycleTests
{
    /// <summary>Creates the guest's realm the way KVM does, against <paramref name="rmm"/> directly.</summary>
    internal static Rmm CreateDirectly(Rmm rmm, GuestSpec spec, GuestRange range)
    {
        var guest = Guest(spec, range);
        var cpu = new DirectCpu(rmm);
        cpu.Run(RealmLifecycle.Create(cpu, guest));
        return rmm;
    }

    private static KvmGuest Guest(GuestSpec spec, GuestRange range) =>
        new(0, spec.Name, spec.IsRealm, spec.Vcpus, new GuestMemory(range.RamBase, range.RamBytes, range.MetadataBase, range.MetadataBytes),
            spec.Realm with { Vcpus = spec.Vcpus, SecondariesRunnable = !spec.PsciBoot }, spec.PsciBoot);

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void The_destruction_returns_every_granule_the_creation_delegated(int vcpus, bool psciBoot)
    {
        var spec = MachineSpec.OneGuest(PlatformConfiguration.VirtccaSel2, Enumerable.Repeat<IReadOnlyList<Op>>([], vcpus).ToArray(), psciBoot: psciBoot);
        var layout = new MemoryLayout(spec);
        var rmm = new Rmm(layout.Rmm);
        var cpu = new DirectCpu(rmm);
        var guest = Guest(spec.Guests[0], layout.Guests[0]);
        cpu.Run(RealmLifecycle.Create(cpu, guest));
        Assert.Single(rmm.Realms);
        Assert.Equal(2 + 3 + 16 + vcpus * 17, rmm.DelegatedGranules.Count()); // RD, starting RTT, levels 1-3, RAM, RECs with 16 aux each
        Assert.Equal(vcpus == 1 || !psciBoot, rmm.RecAt(guest.Realm!.Recs[^1])!.Runnable);
        cpu.Run(RealmLifecycle.Destroy(cpu, guest));
        Assert.Empty(rmm.Realms);
        Assert.Empty(rmm.DelegatedGranules);
        Assert.Empty(rmm.CheckInvariants());
        Assert.Null(guest.Realm);
    }

    [Fact]
    public void Init_ripas_over_a_16_gib_realm_creates_tables_only_where_the_populated_pages_need_them()
    {
        var spec = MachineSpec.OneGuest(PlatformConfiguration.VirtccaSel2, [[]], realm: new RealmShape { RamBytes = 16UL << 30 });
        var layout = new MemoryLayout(spec);
        var rmm = new Rmm(layout.Rmm);
        var cpu = new DirectCpu(rmm);
        var guest = Guest(spec.Guests[0], layout.Guests[0]);
        cpu.Run(RealmLifecycle.Create(cpu, guest));
        // 16 GiB of RIPAS RAM under a level-1 table (1 GiB entries), the first 2 MiB down to level 3 for the 16 pages.
        Assert.Equal([1, 2, 3], guest.Book.Rtts.Select(t => t.Level));
        Assert.Equal(16, guest.Book.Populated.Count);
        var (table, level) = rmm.Realms.Single().Walk(15UL << 30, 3);
        Assert.Equal((1, Tmm.Abi.Ripas.Ram), (level, table.Entries[table.IndexOf(15UL << 30)].Ripas));
        Assert.True(guest.Memory.MetadataGranulesUsed < 100);
    }
}
