using System.Formats.Cbor;
using System.Security.Cryptography;
using VirtCca.Tmm.Attestation;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// The verifier against tokens in the forms TF-RMM (with TF-A's platform token) produces on the
/// FVP, built by <see cref="TfRmmFormatTokens"/> — not by <see cref="CcaTokenBuilder"/>.
/// </summary>
public sealed class AttestationInteropTests
{
    private static readonly ECDsa Cpak = TfRmmFormatTokens.Key("cpak");
    private static readonly ECDsa Rak = TfRmmFormatTokens.Key("rak");
    private static readonly byte[] Challenge = [.. Enumerable.Range(0, 64).Select(i => (byte)(0xA0 ^ i))];
    private static readonly byte[] Rim = SHA256.HashData("a realm's initial measurement"u8);

    private static byte[] Token(TfRmmRelease release) => TfRmmFormatTokens.Build(release, Cpak, Rak, Challenge, Rim);

    /// <summary>A v0.6-form token whose platform token is signed by <paramref name="cpak"/> with <paramref name="hash"/>'s ECDSA algorithm.</summary>
    private static byte[] PlatformSignedBy(ECDsa cpak, HashAlgorithmName hash)
    {
        var rakClaim = TfRmmFormatTokens.RakClaim(TfRmmRelease.V06, Rak);
        return TfRmmFormatTokens.Assemble(TfRmmRelease.V06, TfRmmFormatTokens.PlatformClaims(TfRmmRelease.V06, SHA256.HashData(rakClaim)), cpak,
            TfRmmFormatTokens.RealmClaims(TfRmmRelease.V06, Challenge, Rim, rakClaim), Rak, hash);
    }

    [Theory]
    [InlineData(TfRmmRelease.V05)]
    [InlineData(TfRmmRelease.V06)]
    [InlineData(TfRmmRelease.V09)]
    public void A_tf_rmm_format_token_verifies_and_its_claims_come_back_typed(TfRmmRelease release)
    {
        var v = CcaTokenVerifier.Verify(Token(release), Cpak, new TokenExpectations(Rim, Challenge));
        Assert.True(v.Ok, v.Reason);
        var t = v.Token!;
        Assert.Equal(release == TfRmmRelease.V09 ? CcaCollectionForm.CmwCollection : CcaCollectionForm.EatCollection, t.Form);
        Assert.Equal((CcaClaims.CoseAlgorithmEs384, CcaClaims.CoseAlgorithmEs384), (t.PlatformAlgorithm, t.RealmAlgorithm));

        Assert.Equal(release == TfRmmRelease.V05 ? null : TfRmmFormatTokens.RealmProfile, t.Realm.Profile);
        Assert.Equal(release == TfRmmRelease.V05 ? RakEncoding.RawPoint : RakEncoding.CoseKey, t.Realm.PublicKeyEncoding);
        Assert.Equal(TfRmmFormatTokens.RakClaim(release, Rak), t.Realm.PublicKey);
        Assert.Equal(Challenge, t.Realm.Challenge);
        Assert.Equal(TfRmmFormatTokens.Rpv, t.Realm.PersonalizationValue);
        Assert.Equal(Rim, t.Realm.Rim);
        Assert.Equal(Enumerable.Range(1, 4).Select(TfRmmFormatTokens.Rem), t.Realm.Rems);
        Assert.Equal(("sha-256", "sha-256"), (t.Realm.HashAlgorithm, t.Realm.PublicKeyHashAlgorithm));
        Assert.Equal(release == TfRmmRelease.V09 ? "shared" : null, t.Realm.All.GetValueOrDefault(44243)); // kept, though not typed

        Assert.Equal(release == TfRmmRelease.V05 ? CcaClaims.PlatformProfileLegacy : CcaClaims.PlatformProfile, t.Platform.Profile);
        Assert.Equal(SHA256.HashData(t.Realm.PublicKey), t.Platform.Challenge);
        Assert.Equal(0x3003, t.Platform.SecurityLifecycle);
        Assert.Equal("secured", PlatformTokenClaims.LifecycleName(t.Platform.SecurityLifecycle));
        Assert.Equal(33, t.Platform.InstanceId.Length);
        if (release == TfRmmRelease.V05)
        {
            Assert.Equal(["BL", "M1", "M2", "M3"], t.Platform.SoftwareComponents.Select(c => c.Type));
            Assert.Equal(["3.4.2", "1.2", "1.2.3", "1"], t.Platform.SoftwareComponents.Select(c => c.Version));
            Assert.Equal(["sha-256", null, null, null], t.Platform.SoftwareComponents.Select(c => c.HashAlgorithm));
        }
        else
        {
            Assert.Equal(TfRmmFormatTokens.FvpComponents, t.Platform.SoftwareComponents.Select(c => c.Type));
            Assert.All(t.Platform.SoftwareComponents, c => Assert.Null(c.Version));
            Assert.Equal(SHA256.HashData("RMM"u8), t.Platform.SoftwareComponents.Single(c => c.Type == "RMM").MeasurementValue);
        }
    }

    [Theory]
    [InlineData(TfRmmRelease.V05)]
    [InlineData(TfRmmRelease.V06)]
    [InlineData(TfRmmRelease.V09)]
    public void Any_flipped_byte_of_a_tf_rmm_format_token_fails(TfRmmRelease release)
    {
        var token = Token(release);
        Assert.True(CcaTokenVerifier.Verify(token, Cpak).Ok);
        for (int i = 0; i < token.Length; i++)
        {
            var bad = (byte[])token.Clone();
            bad[i] ^= 0x01;
            var v = CcaTokenVerifier.Verify(bad, Cpak);
            Assert.False(v.Ok, $"flipping byte {i} of {token.Length} still verified");
            Assert.NotEqual(TokenFailure.None, v.Failure);
            Assert.False(string.IsNullOrEmpty(v.Reason));
        }
    }

    [Theory]
    [InlineData(TfRmmRelease.V05)]
    [InlineData(TfRmmRelease.V06)]
    [InlineData(TfRmmRelease.V09)]
    public void Another_platform_key_and_other_reference_values_are_refused(TfRmmRelease release)
    {
        var token = Token(release);
        using var other = TfRmmFormatTokens.Key("another platform");
        Assert.Equal(TokenFailure.PlatformSignature, CcaTokenVerifier.Verify(token, other).Failure);
        Assert.Equal(TokenFailure.RimMismatch, CcaTokenVerifier.Verify(token, Cpak, new TokenExpectations(Rim: SHA256.HashData("other"u8))).Failure);
        Assert.Equal(TokenFailure.ChallengeMismatch, CcaTokenVerifier.Verify(token, Cpak, new TokenExpectations(Challenge: new byte[64])).Failure);
    }

    /// <summary>
    /// The byte layout observed in the FVP vectors (tags, map and array heads, the COSE_Sign1 head
    /// D2 84 44 A1 01 38 22 A0, 96-byte signatures, the RAK's two encodings, claim order) holds
    /// for the tokens these tests build, so the tests exercise that layout and not a look-alike.
    /// </summary>
    [Theory]
    [InlineData(TfRmmRelease.V05)]
    [InlineData(TfRmmRelease.V06)]
    [InlineData(TfRmmRelease.V09)]
    public void The_test_tokens_have_the_layout_seen_in_the_fvp_vectors(TfRmmRelease release)
    {
        var token = Token(release);
        byte[] head = release == TfRmmRelease.V09
            ? [0xD9, 0x03, 0x8B, 0xA2, 0x19, 0xAC, 0xCA, 0x82, 0x19, 0x01, 0x07, 0x59]
            : [0xD9, 0x01, 0x8F, 0xA2, 0x19, 0xAC, 0xCA, 0x59];
        Assert.Equal(head, token[..head.Length]);

        var r = new CborReader(token, CborConformanceMode.Lax);
        r.ReadTag(); r.ReadStartMap();
        var tokens = new List<byte[]>();
        for (int i = 0; i < 2; i++)
        {
            r.ReadInt32();
            if (release == TfRmmRelease.V09) { r.ReadStartArray(); Assert.Equal(263, r.ReadInt32()); }
            tokens.Add(r.ReadByteString());
            if (release == TfRmmRelease.V09) r.ReadEndArray();
        }
        var claimOrders = new List<int[]>();
        foreach (var sign1 in tokens)
        {
            Assert.Equal([0xD2, 0x84, 0x44, 0xA1, 0x01, 0x38, 0x22, 0xA0], sign1[..8]);
            Assert.Equal([0x58, 0x60], sign1[^98..^96]); // a 96-byte ES384 signature closes the array
            var s = new CborReader(sign1);
            s.ReadTag(); s.ReadStartArray(); s.ReadByteString(); s.SkipValue();
            var payload = new CborReader(s.ReadByteString(), CborConformanceMode.Lax);
            int n = payload.ReadStartMap()!.Value;
            var keys = new int[n];
            for (int i = 0; i < n; i++) { keys[i] = payload.ReadInt32(); payload.SkipValue(); }
            claimOrders.Add(keys);
        }
        int[] platformOrder = release == TfRmmRelease.V05
            ? [265, 10, 2396, 256, 2401, 2395, 2402, 2399, 2400]
            : [265, 10, 2396, 256, 2401, 2395, 2402, 2400, 2399];
        int[] realmOrder = release switch
        {
            TfRmmRelease.V05 => [10, 44236, 44240, 44235, 44237, 44238, 44239],
            TfRmmRelease.V06 => [10, 44235, 44237, 44236, 44240, 265, 44238, 44239],
            _ => [10, 44235, 44237, 44236, 44240, 44243, 265, 44238, 44239],
        };
        Assert.Equal(platformOrder, claimOrders[0]);
        Assert.Equal(realmOrder, claimOrders[1]);

        var rak = TfRmmFormatTokens.RakClaim(release, Rak);
        if (release == TfRmmRelease.V05) Assert.Equal((97, (byte)0x04), (rak.Length, rak[0]));
        else Assert.Equal([0xA4, 0x01, 0x02, 0x20, 0x02, 0x21, 0x58, 0x30], rak[..8]); // {1: 2, -1: 2, -2: h'(48 bytes)…
        if (release != TfRmmRelease.V05) Assert.Equal(107, rak.Length);
    }

    [Fact]
    public void A_platform_token_signed_es256_verifies_with_a_p256_key_and_not_with_a_p384_one()
    {
        // Veraison's synthetic vector cca-token-02 signs its platform token ES256 (protected header A1 01 26).
        using var cpak256 = TfRmmFormatTokens.Key("cpak-256", p256: true);
        var token = PlatformSignedBy(cpak256, HashAlgorithmName.SHA256);
        var v = CcaTokenVerifier.Verify(token, cpak256);
        Assert.True(v.Ok, v.Reason);
        Assert.Equal(CcaClaims.CoseAlgorithmEs256, v.Token!.PlatformAlgorithm);
        var wrongCurve = CcaTokenVerifier.Verify(token, Cpak);
        Assert.Equal(TokenFailure.UnsupportedAlgorithm, wrongCurve.Failure);
        Assert.Contains("P-384", wrongCurve.Reason);
    }

    [Fact]
    public void A_p521_platform_key_signs_es512()
    {
        using var cpak521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var v = CcaTokenVerifier.Verify(PlatformSignedBy(cpak521, HashAlgorithmName.SHA512), cpak521);
        Assert.True(v.Ok, v.Reason);
        Assert.Equal(CcaClaims.CoseAlgorithmEs512, v.Token!.PlatformAlgorithm);
    }
}
