using System.Buffers.Binary;
using System.Security.Cryptography;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Tests.Acs.RealmSide;
using Smc = VirtCca.Tmm.Recs.GuestStep.Smc;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// ACS command scenarios of the RSI commands, run from inside a Realm through the ABI (the REC's
/// program, REC_ENTER, the exit record): each failure condition with its RSI status, then what a
/// successful call gives the Realm and the host.
/// </summary>
public sealed class AcsRsiTests
{
    private static readonly ulong Beyond = 1UL << 40;

    private static Smc Initialised(TestRealm r, Smc call)
    {
        Assert.Equal(RsiFid.Success, r.Smc(0, RsiFid.AttestationTokenInit, 1, 2, 3, 4, 5, 6, 7, 8)[0]);
        return call;
    }

    internal static readonly IReadOnlyDictionary<string, RealmStimulus> Failures = Table(
        new("MEASUREMENT_READ index_bound: 5", _ => new(RsiFid.MeasurementRead, 5), RsiFid.ErrorInput),
        new("MEASUREMENT_READ index_bound: 7", _ => new(RsiFid.MeasurementRead, 7), RsiFid.ErrorInput),
        new("MEASUREMENT_READ index_bound: 2^63", _ => new(RsiFid.MeasurementRead, 1UL << 63), RsiFid.ErrorInput),
        new("MEASUREMENT_EXTEND index_bound: 0 (the RIM)", _ => new(RsiFid.MeasurementExtend, 0, 8, 1), RsiFid.ErrorInput),
        new("MEASUREMENT_EXTEND index_bound: 5", _ => new(RsiFid.MeasurementExtend, 5, 8, 1), RsiFid.ErrorInput),
        new("MEASUREMENT_EXTEND index_bound: 7", _ => new(RsiFid.MeasurementExtend, 7, 8, 1), RsiFid.ErrorInput),
        new("MEASUREMENT_EXTEND size_bound: 65", _ => new(RsiFid.MeasurementExtend, 1, 65, 1), RsiFid.ErrorInput),
        new("MEASUREMENT_EXTEND size_bound: 2^63", _ => new(RsiFid.MeasurementExtend, 1, 1UL << 63, 1), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE addr_align: not 4 KiB aligned", r => Initialised(r, new(RsiFid.AttestationTokenContinue, 0x8010, 0, 0x100)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE addr_bound: unprotected", r => Initialised(r, new(RsiFid.AttestationTokenContinue, Ns, 0, 0x100)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE addr_bound: beyond the IPA width", r => Initialised(r, new(RsiFid.AttestationTokenContinue, Beyond, 0, 0x100)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE offset_bound: offset 4096", r => Initialised(r, new(RsiFid.AttestationTokenContinue, 0x8000, 0x1000, 0)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE size_overflow: offset + size wraps", r => Initialised(r, new(RsiFid.AttestationTokenContinue, 0x8000, 0x10, ulong.MaxValue - 7)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE size_bound: size above 4096 - offset", r => Initialised(r, new(RsiFid.AttestationTokenContinue, 0x8000, 0x800, 0x801)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE buffer RIPAS EMPTY", r => Initialised(r, new(RsiFid.AttestationTokenContinue, Empty, 0, 0x100)), RsiFid.ErrorInput),
        new("ATTESTATION_TOKEN_CONTINUE attest_state: no TOKEN_INIT", _ => new(RsiFid.AttestationTokenContinue, 0x8000, 0, 0x100), RsiFid.ErrorState),
        new("REALM_CONFIG addr_align: not 4 KiB aligned", _ => new(RsiFid.RealmConfig, 0x3008), RsiFid.ErrorInput),
        new("REALM_CONFIG addr_bound: unprotected", _ => new(RsiFid.RealmConfig, Ns), RsiFid.ErrorInput),
        new("REALM_CONFIG addr_bound: beyond the IPA width", _ => new(RsiFid.RealmConfig, Beyond), RsiFid.ErrorInput),
        new("REALM_CONFIG RIPAS EMPTY", _ => new(RsiFid.RealmConfig, Empty), RsiFid.ErrorInput),
        new("IPA_STATE_SET base_align: base not 4 KiB aligned", _ => new(RsiFid.IpaStateSet, 0x1800, 0x3000, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET top_align: top not 4 KiB aligned", _ => new(RsiFid.IpaStateSet, 0x1000, 0x2800, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET size_valid: top equals base", _ => new(RsiFid.IpaStateSet, 0x2000, 0x2000, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET size_valid: top below base", _ => new(RsiFid.IpaStateSet, 0x3000, 0x2000, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET rgn_bound: top beyond the protected half", _ => new(RsiFid.IpaStateSet, Ns - 0x1000, Ns + 0x1000, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET rgn_bound: base unprotected", _ => new(RsiFid.IpaStateSet, Ns, Ns + 0x1000, 1, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET ripas_valid: DESTROYED (2)", _ => new(RsiFid.IpaStateSet, 0x1000, 0x2000, 2, 0), RsiFid.ErrorInput),
        new("IPA_STATE_SET ripas_valid: 3", _ => new(RsiFid.IpaStateSet, 0x1000, 0x2000, 3, 0), RsiFid.ErrorInput),
        // ACS EAC tests IPA_STATE_GET(addr) (addr_align, addr_bound); v1.0 as the digest gives it takes (base, end),
        // so these are the digest's conditions (ACS REL0's four stimuli: base_align, end_align, size_valid, rgn_bound).
        new("IPA_STATE_GET base_align: base not 4 KiB aligned", _ => new(RsiFid.IpaStateGet, 0x1800, 0x3000), RsiFid.ErrorInput),
        new("IPA_STATE_GET end_align: end not 4 KiB aligned", _ => new(RsiFid.IpaStateGet, 0x1000, 0x2800), RsiFid.ErrorInput),
        new("IPA_STATE_GET size_valid: end equals base", _ => new(RsiFid.IpaStateGet, 0x2000, 0x2000), RsiFid.ErrorInput),
        new("IPA_STATE_GET size_valid: end below base", _ => new(RsiFid.IpaStateGet, 0x3000, 0x2000), RsiFid.ErrorInput),
        new("IPA_STATE_GET rgn_bound: end beyond the protected half", _ => new(RsiFid.IpaStateGet, Ns - 0x1000, Ns + 0x1000), RsiFid.ErrorInput),
        new("IPA_STATE_GET rgn_bound: base unprotected", _ => new(RsiFid.IpaStateGet, Ns, Ns + 0x1000), RsiFid.ErrorInput),
        new("HOST_CALL addr_align: not 256-byte aligned", _ => new(RsiFid.HostCall, 0x2080 + 0x10), RsiFid.ErrorInput),
        new("HOST_CALL addr_bound: unprotected", _ => new(RsiFid.HostCall, Ns), RsiFid.ErrorInput),
        new("HOST_CALL addr_bound: beyond the IPA width", _ => new(RsiFid.HostCall, Beyond), RsiFid.ErrorInput),
        new("HOST_CALL RIPAS EMPTY", _ => new(RsiFid.HostCall, Empty), RsiFid.ErrorInput));

    public static TheoryData<string> Cases => Labels(Failures);

    [Theory, MemberData(nameof(Cases))]
    public void Rsi_call_fails(string label) => Check(Failures[label]);

    private static byte[] Bytes(ulong[] regs, int from, int count)
    {
        var b = new byte[8 * count];
        for (int i = 0; i < count; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 * i), regs[from + i]);
        return b;
    }

    [Theory]
    [InlineData(0x10000UL, RsiFid.Success)]
    [InlineData(0x20000UL, RsiFid.ErrorInput)]
    [InlineData(0x1UL, RsiFid.ErrorInput)]
    public void Rsi_version_reports_1_0_and_bits_63_to_31_zero(ulong requested, ulong x0)
    {
        var regs = Make(new AcsWorld()).Smc(0, RsiFid.Version, requested);
        Assert.Equal(new[] { x0, 0x10000UL, 0x10000UL }, regs);
    }

    [Fact]
    public void Rsi_features_reads_zero_for_every_index()
    {
        var r = Make(new AcsWorld());
        foreach (var index in new[] { 0UL, 1UL, 0x7FUL, ulong.MaxValue }) Assert.Equal(new[] { RsiFid.Success, 0UL }, r.Smc(0, RsiFid.Features, index));
    }

    [Theory]
    [InlineData((byte)0, 32)]
    [InlineData((byte)1, 64)]
    public void Measurement_read_gives_the_rim_and_zero_rems_and_extend_chains_the_hash(byte hash, int size)
    {
        var r = Make(new AcsWorld(), hash);
        var rim = r.Smc(0, RsiFid.MeasurementRead, 0);
        Assert.Equal(RsiFid.Success, rim[0]);
        Assert.Equal(r.Model.Measurement.Value(0), Bytes(rim, 1, size / 8));
        Assert.All(rim.Skip(1 + size / 8), v => Assert.Equal(0UL, v));
        for (ulong i = 1; i <= 4; i++) Assert.All(r.Smc(0, RsiFid.MeasurementRead, i).Skip(1), v => Assert.Equal(0UL, v)); // REMs start at zero
        var value = Enumerable.Range(0, 8).Select(i => 0x1111_1111_1111_1111UL * (ulong)(i + 1)).ToArray();
        var expected = new byte[size];
        foreach (var n in new[] { 0, 1, 33, 64 })
        {
            Assert.Equal(new[] { RsiFid.Success }, r.Smc(0, RsiFid.MeasurementExtend, [3, (ulong)n, .. value]));
            var h = hash == 0 ? (HashAlgorithm)SHA256.Create() : SHA512.Create();
            expected = h.ComputeHash([.. expected, .. Bytes(value, 0, 8)[..n]]);
            Assert.Equal(expected, Bytes(r.Smc(0, RsiFid.MeasurementRead, 3), 1, size / 8));
        }
        Assert.All(r.Smc(0, RsiFid.MeasurementRead, 2).Skip(1), v => Assert.Equal(0UL, v)); // other REMs untouched
    }

    [Fact]
    public void Attestation_token_init_then_continue_until_success_gives_a_verifiable_token_and_init_restarts_it()
    {
        var r = Make(new AcsWorld());
        ulong[] challenge = [.. Enumerable.Range(0, 8).Select(i => 0xC0FFEE00UL + (ulong)i)];
        var init = r.Smc(0, RsiFid.AttestationTokenInit, challenge);
        Assert.Equal(RsiFid.Success, init[0]);
        // Part of a token, then TOKEN_INIT again: the session starts over (ACS attestation_token_init).
        Assert.Equal(RsiFid.Incomplete, r.Smc(0, RsiFid.AttestationTokenContinue, 0x8000, 0, 0x40)[0]);
        Assert.Equal(RsiFid.Incomplete, r.Smc(0, RsiFid.AttestationTokenContinue, 0x8000, 0, 0)[0]); // size 0: nothing copied
        init = r.Smc(0, RsiFid.AttestationTokenInit, challenge);
        var token = new List<byte>();
        for (int round = 0; round < 16; round++)
        {
            var c = r.Smc(0, RsiFid.AttestationTokenContinue, 0x8000, 0x100, 0x300);
            token.AddRange(r.ReadAsRealm(0, 0x8100, (int)c[1]));
            if (c[0] == RsiFid.Success) break;
            Assert.Equal(RsiFid.Incomplete, c[0]);
        }
        Assert.True((ulong)token.Count <= init[1], "TOKEN_INIT's X1 is an upper bound of the token size");
        var v = CcaTokenVerifier.Verify([.. token], r.Rmm.Platform.Cpak);
        Assert.True(v.Ok, v.Reason);
        Assert.Equal(Bytes(challenge, 0, 8), (byte[])v.RealmClaims![CcaClaims.Challenge]);
        // Done: a further CONTINUE has no token in progress.
        Assert.Equal(RsiFid.ErrorState, r.Smc(0, RsiFid.AttestationTokenContinue, 0x8000, 0, 0x100)[0]);
    }

    [Fact]
    public void An_rsi_buffer_in_unbacked_ram_exits_as_a_stage_2_fault_and_the_call_runs_again_once_backed()
    {
        foreach (var call in new Smc[] { new(RsiFid.RealmConfig, Unbacked), new(RsiFid.HostCall, Unbacked + 0x100), new(RsiFid.AttestationTokenContinue, Unbacked, 0, 0x100) })
        {
            var w = new AcsWorld();
            var r = Make(w);
            if (call.Fid == RsiFid.AttestationTokenContinue) r.Smc(0, RsiFid.AttestationTokenInit);
            var run = r.Run(0, call);
            Assert.Empty(run.Outcomes); // the Realm has not got an answer
            Assert.Equal((RecExitReason.Sync, Esr.EcDataAbortLower | Esr.DfscTranslationL3, Esr.Hpfar(Unbacked), 0UL), (run.Exit!.Reason, run.Exit.Esr, run.Exit.Hpfar, run.Exit.Far));
            r.DataUnknown(Unbacked);
            var again = r.Resume(0);
            Assert.Equal(call.Fid == RsiFid.HostCall ? RecExitReason.HostCall : RecExitReason.Irq, again.Exit!.Reason);
            if (call.Fid != RsiFid.HostCall) Assert.Equal(call.Fid == RsiFid.RealmConfig ? RsiFid.Success : RsiFid.Incomplete, again.Registers[0]);
        }
    }

    [Fact]
    public void Realm_config_writes_ipa_width_hash_and_rpv()
    {
        var r = Make(new AcsWorld(), hash: 1);
        Assert.Equal(new[] { RsiFid.Success }, r.Smc(0, RsiFid.RealmConfig, 0x3000));
        var cfg = r.ReadAsRealm(0, 0x3000, 0x240);
        Assert.Equal(40UL, BinaryPrimitives.ReadUInt64LittleEndian(cfg));
        Assert.Equal(1, cfg[8]);                                              // SHA-512
        Assert.Equal(r.Model.PersonalizationValue, cfg[0x200..0x240]);
    }

    [Fact]
    public void Ipa_state_set_exits_with_the_region_and_the_realm_learns_accept_or_reject()
    {
        var w = new AcsWorld();
        var r = Make(w);
        // ACCEPT: the host applies the whole range; new_base == top.
        var x = r.SmcExits(0, RsiFid.IpaStateSet, Unbacked, Unbacked + 0x2000, (ulong)Ripas.Empty, 0);
        Assert.Equal((RecExitReason.RipasChange, Unbacked, Unbacked + 0x2000, (ulong)Ripas.Empty), (x.Reason, x.RipasBase, x.RipasTop, x.RipasValue));
        Assert.All(x.Gprs, g => Assert.Equal(0UL, g));
        w.Host.Ok(RmiFid.RttSetRipas, r.Rd, r.Recs[0], Unbacked, Unbacked + 0x2000);
        Assert.Equal(new[] { RsiFid.Success, Unbacked + 0x2000, 0UL }, r.Resume(0).Registers);
        // REJECT: the host refuses at once; new_base == base.
        r.SmcExits(0, RsiFid.IpaStateSet, Empty, Empty + 0x1000, (ulong)Ripas.Ram, 0);
        Assert.Equal(new[] { RsiFid.Success, Empty, 1UL }, r.Resume(0, TestRealm.Entry(RecEntryFlags.RipasResponse)).Registers);
        Assert.Equal((ulong)Ripas.Empty, r.ReadEntry(Empty, 3).X4);
    }

    [Fact]
    public void Ipa_state_get_reports_the_extent_of_one_ripas_from_base()
    {
        var w = new AcsWorld();
        var r = Make(w);
        Assert.Equal(new[] { RsiFid.Success, Unbacked + 0x2000, (ulong)Ripas.Ram }, r.Smc(0, RsiFid.IpaStateGet, 0, 0x20_0000));
        Assert.Equal(new[] { RsiFid.Success, 0x8000UL, (ulong)Ripas.Ram }, r.Smc(0, RsiFid.IpaStateGet, 0x4000, 0x8000)); // capped at end
        Assert.Equal(new[] { RsiFid.Success, 0x20_0000UL, (ulong)Ripas.Empty }, r.Smc(0, RsiFid.IpaStateGet, Empty, 0x20_0000));
        // Beyond the level-3 table the walk stops at level 2: one entry covers 2 MiB, still EMPTY.
        Assert.Equal(new[] { RsiFid.Success, 0x60_0000UL, (ulong)Ripas.Empty }, r.Smc(0, RsiFid.IpaStateGet, Empty, 0x60_0000));
        w.Host.Ok(RmiFid.DataDestroy, r.Rd, 0x5000);
        Assert.Equal(new[] { RsiFid.Success, 0x6000UL, (ulong)Ripas.Destroyed }, r.Smc(0, RsiFid.IpaStateGet, 0x5000, 0x8000));
    }

    [Fact]
    public void Host_call_exits_with_imm_and_gprs_and_the_hosts_answer_lands_in_the_structure()
    {
        var r = Make(new AcsWorld());
        const ulong call = 0x2100;
        var run = r.Run(0, new GuestStep.Store(call, 0x5A5A), new GuestStep.Store(call + 8, 0x77), new GuestStep.Store(call + 8 + 8, 0xAB),
            new Smc(RsiFid.HostCall, call), new GuestStep.Load(call + 8 + 8));
        Assert.Equal((RecExitReason.HostCall, (ushort)0x5A5A, 0x77UL, 0xABUL), (run.Exit!.Reason, run.Exit.Imm, run.Exit.Gprs[0], run.Exit.Gprs[1]));
        // ACS: the host enters with gprs[1] = val; the Realm then reads val from its structure's gprs[1].
        var entry = new RecEntry();
        entry.Gprs[1] = 0xFEED_F00D;
        var back = r.Resume(0, entry);
        Assert.Equal(new ulong[] { RsiFid.Success, 0, 0xFEED_F00D }, back.Outcomes[0].Registers[..3]);
        Assert.Equal(("load", 0xFEED_F00DUL), (back.Outcomes[1].Kind, back.Outcomes[1].Registers[0]));
    }
}
