using VirtCca.Tmm.Abi;
using static VirtCca.Kvm.Tests.Machines;

namespace VirtCca.Kvm.Tests;

/// <summary>A 16 GiB realm: created with RIPAS RAM over all of it, populated on demand where it is touched, torn down with every granule back.</summary>
public sealed class BigRealmTests
{
    private const ulong GiB = 1UL << 30;

    [Fact]
    public void A_16_gib_realm_is_created_used_far_apart_and_torn_down_with_every_granule_back()
    {
        ulong[] touches = [8 * GiB, 16 * GiB - Granule.Size, 3 * GiB + 0x20_0000];
        var m = Build(PlatformConfiguration.VirtccaSel2,
            [[.. touches.Select(a => (Op)new Touch(a, 64, Write: true)), .. touches.Select(a => (Op)new Touch(a, 64)), new SystemOff()]],
            realm: new RealmShape { RamBytes = 16 * GiB });
        SequentialEngine.Run(m.Model, new KernelSettings());
        var metrics = new MachineModel(m).Metrics().ToDictionary(x => x.Key, x => x.Value);
        Assert.Equal(3, m.Kvm(0).Stage2Faults);                        // one on-demand page per place touched
        Assert.Equal(3, metrics["guest.guest0.realm.pages_populated_on_demand"]);
        Assert.Equal(0, m.Kvm(0).Vcpu.MemoryFaults);
        Assert.Equal(6, m.Kvm(0).Vcpu.OpsRetired - 1);                 // every touch (and the SYSTEM_OFF)
        Assert.Empty(m.Tmm().Rmm.Realms);
        Assert.Empty(m.Tmm().Rmm.DelegatedGranules);
        Assert.Empty(m.Tmm().Rmm.CheckInvariants());
        // A few tables and pages, not 16 GiB of them: memory is materialised only where written.
        Assert.True(metrics["memory.pages_materialised"] < 200, $"{metrics["memory.pages_materialised"]} pages");
        Assert.True(metrics["guest.guest0.realm.creation_calls"] < 80);
    }
}
