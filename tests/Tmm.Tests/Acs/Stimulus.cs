using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// The world a command scenario starts from, built lazily so each scenario pays only for what it
/// names: the NEW Realm the valid arguments come from, Realms in the other states, and granules in
/// every state. Granules in a given state come from a second Realm (<see cref="Other"/>), so that
/// naming one never disturbs the Realm under test.
/// </summary>
internal sealed class AcsWorld(RmmConfig? config = null)
{
    public AcsHost Host { get; } = new(config);
    private TestRealm? _new, _active, _systemOff, _other;
    private ulong? _destroyedRd, _otherData, _otherRtt;
    private readonly Dictionary<string, object> _memo = new();

    /// <summary>Something a table builds once per world (by name), however many arguments name it.</summary>
    public T Memo<T>(string name, Func<T> make) where T : notnull =>
        _memo.TryGetValue(name, out var v) ? (T)v : (T)(_memo[name] = make());

    /// <summary>
    /// The Realm of the valid arguments, NEW: level-3 tables over [0, 2 MiB) and the first unprotected
    /// 2 MiB; RIPAS RAM over [0, 64 KiB) of which DATA holds [0, 32 KiB); a level-2 table with no
    /// level-3 table below it over [2 MiB, 1 GiB). No RECs yet.
    /// </summary>
    public TestRealm New => _new ??= MakeNew();

    /// <summary>An ACTIVE Realm laid out like <see cref="New"/>, with REC 0 runnable and REC 1 not.</summary>
    public TestRealm Active => _active ??= MakeActive();

    /// <summary>An ACTIVE Realm whose REC 0 called PSCI SYSTEM_OFF.</summary>
    public TestRealm SystemOff => _systemOff ??= MakeSystemOff();

    /// <summary>The RD of a Realm created and destroyed: a DELEGATED granule ("realm_state_null").</summary>
    public ulong DestroyedRd => _destroyedRd ??= MakeDestroyed();

    /// <summary>Another NEW Realm: the source of granules in the RD, REC, REC_AUX, RTT and DATA states.</summary>
    public TestRealm Other => _other ??= MakeOther();

    /// <summary>The level-3 RTT of <see cref="Other"/>, and its one DATA granule (at IPA 0).</summary>
    public ulong OtherRtt { get { _ = Other; return _otherRtt!.Value; } }
    public ulong OtherData { get { _ = Other; return _otherData!.Value; } }

    public const ulong DataIpa = 0x8000;        // UNASSIGNED, RIPAS RAM, level 3: where DATA_CREATE goes
    public const ulong AssignedIpa = 0x1000;    // ASSIGNED RAM
    public const ulong EmptyIpa = 0x10000;      // UNASSIGNED, RIPAS EMPTY, level 3
    public const ulong Level2Ipa = 0x20_0000;   // the walk stops at level 2 (no level-3 table)

    private TestRealm MakeNew()
    {
        var r = Host.Realm();
        r.Table(0, 3);
        r.Table(r.Ns, 3);
        r.InitRipas(0, 0x10000);
        for (ulong ipa = 0; ipa < DataIpa; ipa += 0x1000) r.Data(ipa, (byte)(ipa >> 12));
        return r;
    }

    private TestRealm MakeActive()
    {
        var r = Host.Realm().Populate(recs: 2);
        r.Activate();
        return r;
    }

    private TestRealm MakeSystemOff()
    {
        var r = Host.Realm().Populate(recs: 1);
        r.Activate();
        Assert.Equal(RecExitReason.Psci, r.SmcExits(0, Psci.SystemOff).Reason);
        return r;
    }

    private ulong MakeDestroyed()
    {
        var r = Host.Realm();
        Host.Ok(RmiFid.RealmDestroy, r.Rd);
        return r.Rd;
    }

    private TestRealm MakeOther()
    {
        var r = Host.Realm();
        _otherRtt = r.Table(0, 3);
        r.InitRipas(0, 0x1000);
        _otherData = r.Data(0);
        r.Rec();
        return r;
    }

    /// <summary>A granule in <paramref name="state"/> (as the ACS names states), or an address of the named kind.</summary>
    public ulong Granule(string state) => state switch
    {
        "UNDELEGATED" => Host.Granule(),
        "DELEGATED" => Host.Delegated(),
        "RD" => Other.Rd,
        "REC" => Other.Recs[0],
        "REC_AUX" => Other.RecModel(0).Aux[0],
        "RTT" => OtherRtt,
        "DATA" => OtherData,
        "NULL (its Realm destroyed)" => DestroyedRd,
        _ => throw new ArgumentException($"no granule state {state}", nameof(state)),
    };
}

/// <summary>
/// One ACS stimulus: the failure condition as the ACS labels it, how the arguments break exactly that
/// condition (or, for a priority case, two of them), and the X0 — status and index — the RMM must return.
/// </summary>
internal sealed record Stimulus(string Label, Func<AcsWorld, AcsCall> Prepare, ulong X0, RmmConfig? Config = null)
{
    public override string ToString() => Label;
}

/// <summary>Builds the ACS tables and runs their stimuli.</summary>
internal static class Acs
{
    public static readonly ulong ErrorInput = SmcResult.Of(RmiStatus.ErrorInput).X0;
    public static readonly ulong ErrorRealm = SmcResult.Of(RmiStatus.ErrorRealm).X0;
    public static readonly ulong ErrorRec = SmcResult.Of(RmiStatus.ErrorRec).X0;
    public static ulong ErrorRealmAt(int index) => SmcResult.Of(RmiStatus.ErrorRealm, index).X0;
    public static ulong ErrorRtt(int index) => SmcResult.Of(RmiStatus.ErrorRtt, index).X0;

    /// <summary>Granule states the ACS names for an "rd" argument that is not an RD.</summary>
    public static readonly string[] NotRd = ["UNDELEGATED", "DELEGATED", "REC", "RTT", "DATA"];

    /// <summary>A table by label; a repeated label is a mistake in the table and fails here.</summary>
    // Fixed arities rather than params: a collection expression of target-typed rows must bind to one part.
    public static IReadOnlyDictionary<string, Stimulus> Table(IEnumerable<Stimulus> a) => a.ToDictionary(s => s.Label);
    public static IReadOnlyDictionary<string, Stimulus> Table(IEnumerable<Stimulus> a, IEnumerable<Stimulus> b) => Table(a.Concat(b));
    public static IReadOnlyDictionary<string, Stimulus> Table(IEnumerable<Stimulus> a, IEnumerable<Stimulus> b, IEnumerable<Stimulus> c) => Table(a.Concat(b).Concat(c));
    public static IReadOnlyDictionary<string, Stimulus> Table(IEnumerable<Stimulus> a, IEnumerable<Stimulus> b, IEnumerable<Stimulus> c, IEnumerable<Stimulus> d) =>
        Table(a.Concat(b).Concat(c).Concat(d));
    public static IReadOnlyDictionary<string, Stimulus> Table(IEnumerable<Stimulus> a, IEnumerable<Stimulus> b, IEnumerable<Stimulus> c, IEnumerable<Stimulus> d, IEnumerable<Stimulus> e) =>
        Table(a.Concat(b).Concat(c).Concat(d).Concat(e));

    public static TheoryData<string> Labels(IReadOnlyDictionary<string, Stimulus> table) => new(table.Keys);

    /// <summary>
    /// x_align, x_bound (device memory, beyond the permitted PA) and x_state (each of
    /// <paramref name="states"/>) of one granule argument, every other argument valid.
    /// </summary>
    public static IEnumerable<Stimulus> Address(string arg, Func<AcsWorld, ulong> valid, Func<AcsWorld, ulong, AcsCall> with, params string[] states)
    {
        yield return new($"{arg}_align: not 4 KiB aligned", w => with(w, valid(w) + 0x10), ErrorInput);
        yield return new($"{arg}_bound: device memory", w => with(w, AcsHost.Mmio), ErrorInput);
        yield return new($"{arg}_bound: beyond the permitted PA", w => with(w, AcsHost.BeyondPa), ErrorInput);
        foreach (var state in states)
            yield return new($"{arg}_state: {state}", w => with(w, w.Granule(state)), ErrorInput);
    }

    /// <summary>x_pas of a page the host passes by address: in the Realm PAS (delegated) or the secure PAS.</summary>
    public static IEnumerable<Stimulus> Pas(string arg, Func<AcsWorld, ulong, AcsCall> with)
    {
        yield return new($"{arg}_pas: Realm PAS (a delegated granule)", w => with(w, w.Host.Delegated()), ErrorInput);
        yield return new($"{arg}_pas: secure PAS", w => with(w, w.Host.SecurePas), ErrorInput);
    }

    /// <summary>The rd argument's eight ACS stimuli.</summary>
    public static IEnumerable<Stimulus> Rd(Func<AcsWorld, ulong, AcsCall> with, Func<AcsWorld, TestRealm>? realm = null) =>
        Address("rd", w => (realm ?? (x => x.New))(w).Rd, with, NotRd);

    /// <summary>
    /// Runs one stimulus on a fresh world: the call must return exactly the expected X0, and change
    /// nothing a later command could observe.
    /// </summary>
    public static SmcResult Check(Stimulus s)
    {
        var w = new AcsWorld(s.Config);
        var call = s.Prepare(w);
        var before = Footprint.Of(w.Host);
        var r = w.Host.Call(call);
        Assert.True(r.X0 == s.X0, $"{s.Label}: X0 = 0x{r.X0:X} ({w.Host.Rmm.LastError}), expected 0x{s.X0:X}");
        Assert.Equal(before, Footprint.Of(w.Host));
        return r;
    }
}
