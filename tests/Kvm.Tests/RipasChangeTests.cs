using VirtCca.Launcher.Composition;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// A realm changes the RIPAS of part of its address space (RSI_IPA_STATE_SET): the TMM hands the
/// request to KVM as a RIPAS_CHANGE exit; KVM applies it with RMI_RTT_SET_RIPAS, calling again from
/// wherever each call stopped (one call per table), and re-enters; the realm sees the request done.
/// </summary>
public sealed class RipasChangeTests
{
    [Theory]
    [InlineData(0x8000UL, 0x10000UL, false, 1)]    // image RAM back to EMPTY, inside one level-3 table: one call
    [InlineData(0x1F_E000UL, 0x40_0000UL, true, 2)] // across the level-3 table's end into a level-2 block: two calls
    public void Kvm_applies_a_realms_ripas_change_and_the_realm_sees_it_done(ulong from, ulong top, bool ram, int calls)
    {
        var m = Machines.Build(PlatformConfiguration.VirtccaSel2, [[new IpaStateSet(from, top, ram), new Compute(2_600)]], realm: new RealmShape { RamBytes = 8UL << 20 });
        SequentialEngine.Run(m.Model, new KernelSettings());

        var tmm = m.Tmm();
        Assert.Equal(m.Guests[0].CreationCalls + calls, tmm.Calls);
        Assert.Equal(1, m.Exits(0, ExitKind.RipasChange));
        Assert.Equal(2, m.Kvm(0).Vcpu.OpsRetired);
        var outcome = tmm.Rmm.RecAt(m.Rec(0))!.Program.Log.Single(o => o.Step is GuestStep.Smc { Fid: RsiFid.IpaStateSet });
        Assert.Equal([RsiFid.Success, top, 0UL], outcome.Registers); // all of it, accepted
        var (table, _) = tmm.Rmm.Realms.Single().Walk(from, 3);
        Assert.Equal(ram ? Tmm.Abi.Ripas.Ram : Tmm.Abi.Ripas.Empty, table.Entries[table.IndexOf(from)].Ripas);
        Assert.Empty(tmm.Rmm.CheckInvariants());
    }
}
