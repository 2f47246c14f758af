using VirtCca.Tmm.Abi;
using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>One physical memory: what KVM writes the TMM reads, a realm's data lives in the secure pool and nowhere the normal world can see, and scrubbing shows in DRAM.</summary>
public sealed class OneMemoryTests
{
    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void The_image_kvm_wrote_is_what_the_tmm_measured_and_copied_into_the_secure_pool(PlatformConfiguration config)
    {
        var m = Run(config, [new Compute(100)]);
        var rmm = m.Tmm().Rmm;
        var page = new byte[Granule.Size];
        for (int p = 0; p < m.Spec.Guests[0].Realm.ImagePages; p++)
        {
            Assert.True(rmm.Translate(m.Guests[0].Realm!.Rd, (ulong)p * Granule.Size, out ulong pa, out bool secure));
            Assert.True(secure);
            Assert.InRange(pa, m.Layout.Rmm.SecurePoolBase, m.Layout.SecurePoolTop - 1);
            m.Memory.Read(pa, page);
            Assert.Equal(RealmLifecycle.ImagePage(p), page);
        }
    }

    [Fact]
    public void A_realms_store_lands_in_its_secure_pool_granule_and_the_host_page_behind_its_ram_stays_blank()
    {
        const ulong ipa = 0x5040; // RAM page 5, populated at creation
        var m = Run(PlatformConfiguration.VirtccaSel2, [new Touch(ipa, 64, Write: true), new Touch(ipa, 64)]);
        Assert.Equal(0, m.Kvm(0).Vcpu.MemoryFaults);
        Assert.True(m.Tmm().Rmm.Translate(m.Guests[0].Realm!.Rd, ipa, out ulong pa, out _));
        var data = new byte[64];
        m.Memory.Read(pa, data);
        Assert.Equal(GuestData.Pattern(ipa, 64), data);
        // The host's own page for that IPA (its memslot) was scrubbed when delegated and never written.
        Assert.True(m.Memory.IsZero(m.Guests[0].Memory.HostPageOf(ipa)));
        // The normal world reading the pool is refused by the TZASC.
        Assert.False(m.TzascActor!.Controller.Check(pa, 64, secure: false, write: false));
    }

    [Fact]
    public void A_normal_vm_writes_its_ram_where_kvms_memslot_puts_it()
    {
        const ulong ipa = 0x3000;
        var m = Run(PlatformConfiguration.Baseline, [new Touch(ipa + 8, 16, Write: true)]);
        Assert.Equal(1, m.Kvm(0).Stage2Faults); // mapped on its first touch
        var data = new byte[16];
        m.Memory.Read(m.Guests[0].Memory.HostPageOf(ipa) + 8, data);
        Assert.Equal(GuestData.Pattern(ipa + 8, 16), data);
    }

    [Fact]
    public void After_the_realm_is_destroyed_its_pool_granules_and_host_pages_read_zero()
    {
        const ulong ipa = 0x5040;
        // Where the store lands: the same machine without the power-off (the layout and the pool's allocation order are the same).
        var m = Run(PlatformConfiguration.VirtccaSel2, [new Touch(ipa, 64, Write: true)]);
        Assert.True(m.Tmm().Rmm.Translate(m.Guests[0].Realm!.Rd, ipa, out ulong pa, out _));
        Assert.False(m.Memory.IsZero(pa & ~(Granule.Size - 1)));

        var done = Build(PlatformConfiguration.VirtccaSel2, [[new Touch(ipa, 64, Write: true), new SystemOff()]]);
        SequentialEngine.Run(done.Model, new KernelSettings());
        Assert.Empty(done.Tmm().Rmm.DelegatedGranules);
        Assert.True(done.Memory.IsZero(pa & ~(Granule.Size - 1)));             // the pool granule was scrubbed
        Assert.True(done.Memory.IsZero(done.Guests[0].Memory.HostPageOf(ipa))); // and the host's page holds nothing of it
    }
}
