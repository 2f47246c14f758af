using System.Formats.Cbor;
using System.Security.Cryptography;
using VirtCca.Tmm.Abi;
using System.Security.Cryptography.Cose;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Measurement;

namespace VirtCca.Tmm.Tests;

public sealed class AttestationTests
{
    private static readonly PlatformIdentity Identity = PlatformIdentity.FromSeed(42);

    private static RealmClaims Claims()
    {
        var m = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        m.MeasureRealmCreate(0, 40, 0, 1, 1, 0);
        m.Extend(1, [7]);
        return new RealmClaims(Enumerable.Repeat((byte)0xC1, 64).ToArray(), Enumerable.Repeat((byte)0x5A, 64).ToArray(),
            RmiHashAlgorithm.Sha256, m.Value(0), Enumerable.Range(1, 4).Select(m.Value).ToArray());
    }

    [Fact]
    public void A_token_made_by_the_tmm_verifies_and_echoes_the_claims()
    {
        var claims = Claims();
        var token = new CcaTokenBuilder(Identity).Build(claims);
        var result = CcaTokenVerifier.Verify(token, Identity.Cpak);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal(claims.Challenge, (byte[])result.RealmClaims![CcaClaims.Challenge]);
        Assert.Equal(claims.PersonalizationValue, (byte[])result.RealmClaims[CcaClaims.RealmPersonalizationValue]);
        Assert.Equal(claims.Rim, (byte[])result.RealmClaims[CcaClaims.RealmInitialMeasurement]);
        Assert.Equal(claims.Rems[0], ((List<object>)result.RealmClaims[CcaClaims.RealmExtensibleMeasurements])[0]);

        // A standard CBOR reader sees tag 399 and the two token keys.
        var r = new CborReader(token);
        Assert.Equal((CborTag)399, r.ReadTag());
        Assert.Equal(2, r.ReadStartMap());

        // The RMM 1.0-rel0 form: realm profile, the RAK as a COSE_Key, the platform challenge its SHA-256.
        var t = result.Token!;
        Assert.Equal(CcaCollectionForm.EatCollection, t.Form);
        Assert.Equal(CcaClaims.RealmProfile, t.Realm.Profile);
        Assert.Equal(RakEncoding.CoseKey, t.Realm.PublicKeyEncoding);
        Assert.Equal(Identity.RakCoseKey, t.Realm.PublicKey);
        Assert.Equal(SHA256.HashData(Identity.RakCoseKey), t.Platform.Challenge);
        Assert.Equal(("TMM", "secured"), (t.Platform.SoftwareComponents.Single().Type, PlatformTokenClaims.LifecycleName(t.Platform.SecurityLifecycle)));
    }

    [Fact]
    public void The_net_cose_library_alone_verifies_both_signatures()
    {
        var token = new CcaTokenBuilder(Identity).Build(Claims());
        var r = new CborReader(token);
        r.ReadTag(); r.ReadStartMap();
        r.ReadInt32(); var platform = CoseMessage.DecodeSign1(r.ReadByteString());
        r.ReadInt32(); var realm = CoseMessage.DecodeSign1(r.ReadByteString());
        Assert.True(platform.VerifyEmbedded(Identity.Cpak));
        Assert.True(realm.VerifyEmbedded(Identity.Rak));
        Assert.False(realm.VerifyEmbedded(Identity.Cpak));
        Assert.Equal(CcaClaims.CoseAlgorithmEs384, realm.ProtectedHeaders.GetValueAsInt32(CoseHeaderLabel.Algorithm));
    }

    [Fact]
    public void Any_flipped_byte_makes_verification_fail()
    {
        var token = new CcaTokenBuilder(Identity).Build(Claims());
        for (int i = 0; i < token.Length; i++)
        {
            var bad = (byte[])token.Clone();
            bad[i] ^= 0x01;
            var result = CcaTokenVerifier.Verify(bad, Identity.Cpak);
            Assert.False(result.Ok, $"flipping byte {i} of {token.Length} still verified");
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }
    }

    [Fact]
    public void Another_platform_key_or_an_unbound_realm_token_is_refused()
    {
        var token = new CcaTokenBuilder(Identity).Build(Claims());
        using var other = PlatformIdentity.FromSeed(43);
        var wrongKey = CcaTokenVerifier.Verify(token, other.Cpak);
        Assert.Equal(TokenFailure.PlatformSignature, wrongKey.Failure);
        Assert.Contains("CPAK", wrongKey.Reason);

        // A realm token from one boot's RAK with the platform token of another: the challenge binding breaks.
        var mixed = new PlatformIdentity(Identity.Cpak, other.Rak);
        var forged = new CcaTokenBuilder(mixed).Build(Claims());
        var result = CcaTokenVerifier.Verify(forged, Identity.Cpak);
        Assert.True(result.Ok, result.Reason); // still consistent: the platform signed the hash of this RAK
        var platformOnly = SwapRealmToken(token, forged);
        var unbound = CcaTokenVerifier.Verify(platformOnly, Identity.Cpak);
        Assert.Equal(TokenFailure.NotBound, unbound.Failure);
        Assert.Contains("not bound", unbound.Reason);
    }

    [Fact]
    public void Keys_derived_from_a_seed_are_reproducible()
    {
        using var a = PlatformIdentity.FromSeed(7);
        using var b = PlatformIdentity.FromSeed(7);
        Assert.Equal(a.RakPublicPoint, b.RakPublicPoint);
        Assert.Equal(97, a.RakPublicPoint.Length);
        Assert.NotEqual(a.RakPublicPoint, Identity.RakPublicPoint);
    }

    [Fact]
    public void The_session_hands_out_the_token_in_pieces()
    {
        var token = new CcaTokenBuilder(Identity).Build(Claims());
        var s = new AttestationSession(token);
        var copy = new List<byte>();
        var buf = new byte[100];
        while (!s.Done) copy.AddRange(buf[..s.CopyNext(buf)]);
        Assert.Equal(token, copy);
        Assert.Equal(0, s.CopyNext(buf));
    }

    /// <summary>Puts the realm token of <paramref name="donor"/> into <paramref name="token"/>.</summary>
    private static byte[] SwapRealmToken(byte[] token, byte[] donor)
    {
        static (byte[] P, byte[] R) Parts(byte[] t)
        {
            var r = new CborReader(t);
            r.ReadTag(); r.ReadStartMap();
            r.ReadInt32(); var p = r.ReadByteString();
            r.ReadInt32(); var rt = r.ReadByteString();
            return (p, rt);
        }
        var (platform, _) = Parts(token);
        var (_, realm) = Parts(donor);
        var w = new CborWriter();
        w.WriteTag((CborTag)399);
        w.WriteStartMap(2);
        w.WriteInt32(CcaClaims.PlatformToken); w.WriteByteString(platform);
        w.WriteInt32(CcaClaims.RealmDelegatedToken); w.WriteByteString(realm);
        w.WriteEndMap();
        return w.Encode();
    }
}
