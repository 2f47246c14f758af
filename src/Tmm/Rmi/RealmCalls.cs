using System.Buffers.Binary;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    private PlatformIdentity? _platform;

    /// <summary>The platform's attestation keys, derived from <see cref="RmmConfig.AttestationSeed"/>.</summary>
    public PlatformIdentity Platform => _platform ??= PlatformIdentity.FromSeed(Config.AttestationSeed);

    /// <summary>An SMC from the Realm (§6.1 RSI, §0.3 PSCI); null when it completed inside the TMM (result logged), else the exit.</summary>
    private RecExit? RealmSmc(Rec r, GuestStep.Smc smc)
    {
        ulong A(int i) => i < smc.Args.Length ? smc.Args[i] : 0;
        var realm = r.Realm;
        var log = r.Program;
        ulong fid = smc.Fid & ~RmiFid.SveHint;
        void Done(params ulong[] regs) => log.Record(smc, fid >= RsiFid.Version && fid <= RsiFid.HostCall ? "rsi" : "smc", regs);

        // TSI, the cVM's side of TMI, has no IPA_STATE_SET/GET: a cVM's memory is private unless its stage 1 says shared.
        if (r.RunAbi == HostAbi.Tmi && fid is RsiFid.IpaStateSet or RsiFid.IpaStateGet) { Done(Psci.NotSupported); return null; }
        switch (fid)
        {
            case RsiFid.Version: Done(A(0) == 0x10000 ? RsiFid.Success : RsiFid.ErrorInput, 0x10000, 0x10000); return null;
            case RsiFid.Features: Done(RsiFid.Success, 0); return null;
            case RsiFid.MeasurementRead:
                if (A(0) > 4) { Done(RsiFid.ErrorInput); return null; }
                Done([RsiFid.Success, .. Words(realm.Measurement.Read((int)A(0)))]);
                return null;
            case RsiFid.MeasurementExtend:
                if (A(0) is 0 or > 4 || A(1) > 64) { Done(RsiFid.ErrorInput); return null; }
                var value = new byte[64];
                for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(8 * i), A(2 + i));
                realm.Measurement.Extend((int)A(0), value.AsSpan(0, (int)A(1)));
                Done(RsiFid.Success);
                return null;
            case RsiFid.AttestationTokenInit:
                var challenge = new byte[64];
                for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(challenge.AsSpan(8 * i), A(i));
                var token = new CcaTokenBuilder(Platform).Build(new RealmClaims(challenge, realm.PersonalizationValue, realm.Measurement.Algorithm,
                    realm.Measurement.Value(0), Enumerable.Range(1, 4).Select(realm.Measurement.Value).ToArray()));
                r.Attestation = new AttestationSession(token);
                TokenIssued(r, r.Attestation, token, challenge);
                Done(RsiFid.Success, (ulong)token.Length);
                return null;
            case RsiFid.AttestationTokenContinue: return TokenContinue(r, smc, A(0), A(1), A(2));
            case RsiFid.RealmConfig:
                if (A(0) % 0x1000 != 0 || !realm.IsProtected(A(0))) { Done(RsiFid.ErrorInput); return null; }
                var config = new byte[0x240];
                BinaryPrimitives.WriteUInt64LittleEndian(config, (ulong)realm.S2sz);
                config[8] = (byte)realm.Measurement.Algorithm;
                realm.PersonalizationValue.CopyTo(config, 0x200);
                if (RsiBuffer(r, smc, A(0)) is { } notWritable) return notWritable.Exit;
                WriteRealm(realm, A(0), config);
                Done(RsiFid.Success);
                return null;
            case RsiFid.IpaStateSet:
                ulong b = A(0), t = A(1), ripas = A(2);
                if (ripas > 1 || b % 0x1000 != 0 || t % 0x1000 != 0 || t <= b || !realm.IsProtected(b) || !realm.IsProtected(t - 1)) { Done(RsiFid.ErrorInput); return null; }
                r.PendingRipas = (b, t, ripas, (A(3) & 1) != 0);
                return new RecExit(RecExitReason.RipasChange) { RipasBase = b, RipasTop = t, RipasValue = ripas };
            case RsiFid.IpaStateGet: return IpaStateGet(r, smc, A(0), A(1));
            case RsiFid.HostCall:
                ulong ipa = A(0);
                if (ipa % 256 != 0 || !realm.IsProtected(ipa)) { Done(RsiFid.ErrorInput); return null; }
                if (RsiBuffer(r, smc, ipa) is { } unreadable) return unreadable.Exit;
                Span<byte> call = stackalloc byte[256];
                ReadRealm(realm, ipa, call);
                r.PendingHostCall = ipa;
                var exit = new RecExit(RecExitReason.HostCall) { Imm = BinaryPrimitives.ReadUInt16LittleEndian(call) };
                for (int i = 0; i < 31; i++) exit.Gprs[i] = BinaryPrimitives.ReadUInt64LittleEndian(call[(8 + 8 * i)..]);
                return exit;
            default: return PsciCall(r, smc, fid, A(0), A(1), A(2));
        }
    }

    private RecExit? TokenContinue(Rec r, GuestStep.Smc smc, ulong buf, ulong offset, ulong size)
    {
        if (buf % 0x1000 != 0 || !r.Realm.IsProtected(buf) || offset >= 0x1000 || size > 0x1000 || offset + size > 0x1000)
        { r.Program.Record(smc, "rsi", RsiFid.ErrorInput); return null; }
        if (r.Attestation is not { } session) { r.Program.Record(smc, "rsi", RsiFid.ErrorState); return null; }
        if (RsiBuffer(r, smc, buf) is { } notWritable) return notWritable.Exit;
        var chunk = new byte[Math.Min((int)size, session.Remaining)];
        int n = session.CopyNext(chunk);
        WriteRealm(r.Realm, buf + offset, chunk.AsSpan(0, n));
        r.Program.Record(smc, "rsi", session.Done && size > 0 ? RsiFid.Success : RsiFid.Incomplete, (ulong)n);
        if (session.Done) { TokenDelivered(r, session); r.Attestation = null; }
        return null;
    }

    private RecExit? IpaStateGet(Rec r, GuestStep.Smc smc, ulong b, ulong end)
    {
        var realm = r.Realm;
        if (b % 0x1000 != 0 || end % 0x1000 != 0 || b >= end || !realm.IsProtected(b) || !realm.IsProtected(end - 1))
        { r.Program.Record(smc, "rsi", RsiFid.ErrorInput); return null; }
        var (t, _) = realm.Walk(b, 3);
        var ripas = t.Entries[t.IndexOf(b)].Ripas;
        ulong ipa = b;
        while (ipa < end)
        {
            var (tt, _) = realm.Walk(ipa, 3);
            var e = tt.Entries[tt.IndexOf(ipa)];
            if (e.Ripas != ripas) break;
            ipa = ipa - ipa % tt.EntrySize + tt.EntrySize;
        }
        r.Program.Record(smc, "rsi", RsiFid.Success, Math.Min(ipa, end), (ulong)ripas);
        return null;
    }

    /// <summary>Why an RSI call cannot use the Realm page at <paramref name="ipa"/>, already answered: the exit to take (null: answered inside the Realm).</summary>
    private readonly record struct RsiRefusal(RecExit? Exit);

    /// <summary>
    /// The page an RSI call reads or writes (REALM_CONFIG, HOST_CALL, ATTESTATION_TOKEN_CONTINUE's
    /// buffer): null when the Realm can use it. RAM the host has not backed, or DESTROYED, is an
    /// emulated stage-2 data abort — the REC exits and the call runs again after the host acts; EMPTY
    /// (or anything else not accessible) answers RSI_ERROR_INPUT.
    /// </summary>
    private RsiRefusal? RsiBuffer(Rec r, GuestStep.Smc smc, ulong ipa)
    {
        switch (Resolve(r.Realm, ipa, out _))
        {
            case Recs.AccessOutcome.Normal: return null;
            case Recs.AccessOutcome.ExitNonEmulatable:
                RequeueFirst(r.Program, smc);
                return new RsiRefusal(new RecExit(RecExitReason.Sync) { Esr = Esr.EcDataAbortLower | Esr.DfscTranslationL3, Hpfar = Esr.Hpfar(ipa) });
            default:
                r.Program.Record(smc, "rsi", RsiFid.ErrorInput);
                return new RsiRefusal(null);
        }
    }

    private static void RequeueFirst(GuestProgram program, GuestStep step)
    {
        var rest = new List<GuestStep>();
        while (program.HasNext) rest.Add(program.Next());
        program.Add([step, .. rest]);
    }

    private static ulong[] Words(byte[] bytes) => Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i))).ToArray();
}
