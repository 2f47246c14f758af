using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// One realm-side ACS stimulus: an SMC the Realm makes (RSI or PSCI) with one argument broken, and the
/// X0 it must get back without the REC exiting for it.
/// </summary>
internal sealed record RealmStimulus(string Label, Func<TestRealm, GuestStep.Smc> Smc, ulong X0)
{
    public override string ToString() => Label;
}

/// <summary>The Realm the realm-side scenarios run in, and their runner.</summary>
internal static class RealmSide
{
    /// <summary>Unprotected IPA of the Realm (40 bits): the first one.</summary>
    public const ulong Ns = 1UL << 39;
    /// <summary>RAM the host has not backed (RIPAS RAM, UNASSIGNED), and memory of RIPAS EMPTY.</summary>
    public const ulong Unbacked = 0x10000, Empty = 0x12000;

    /// <summary>
    /// An ACTIVE Realm of 40 bits: DATA over [0, 64 KiB), RIPAS RAM but unbacked over [64 KiB, 72 KiB),
    /// EMPTY above; REC 0 runnable, RECs 1 and 2 not (for PSCI).
    /// </summary>
    public static TestRealm Make(AcsWorld w, byte hash = 0)
    {
        var r = w.Host.Realm(hash: hash).Populate(recs: 3);
        r.InitRipas(Unbacked, Unbacked + 0x2000);
        r.Activate();
        return r;
    }

    public static IReadOnlyDictionary<string, RealmStimulus> Table(params RealmStimulus[] rows) => rows.ToDictionary(s => s.Label);

    public static TheoryData<string> Labels(IReadOnlyDictionary<string, RealmStimulus> table) => new(table.Keys);

    /// <summary>
    /// Runs one stimulus from REC 0 of a fresh Realm: X0 must be the expected one, the REC must not
    /// exit for the call (it exits IRQ when its program runs out), and no granule, Realm measurement
    /// or RTT entry may change.
    /// </summary>
    public static ulong[] Check(RealmStimulus s)
    {
        var w = new AcsWorld();
        var r = Make(w);
        var smc = s.Smc(r);
        var before = Footprint.Of(w.Host, realmsOnly: true);
        var regs = r.Smc(0, smc.Fid, smc.Args);
        Assert.True(regs[0] == s.X0, $"{s.Label}: X0 = 0x{regs[0]:X}, expected 0x{s.X0:X}");
        Assert.Equal(before, Footprint.Of(w.Host, realmsOnly: true));
        return regs;
    }
}
