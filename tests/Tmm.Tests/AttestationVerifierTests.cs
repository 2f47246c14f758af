using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using VirtCca.Tmm.Attestation;
using static VirtCca.Tmm.Tests.TfRmmFormatTokens;

namespace VirtCca.Tmm.Tests;

/// <summary>Every refusal of the verifier: the failure it names and the words of its reason.</summary>
public sealed class AttestationVerifierTests
{
    private static readonly ECDsa Cpak = Key("cpak");
    private static readonly ECDsa RakKey = Key("rak");
    private static readonly byte[] Challenge = new byte[64];
    private static readonly byte[] Rim = SHA256.HashData([1]);
    private static readonly byte[] RakCose = CoseKey(RakKey);

    private static ClaimList RealmV06 => RealmClaims(TfRmmRelease.V06, Challenge, Rim, RakCose);
    private static ClaimList PlatformV06 => PlatformClaims(TfRmmRelease.V06, SHA256.HashData(RakCose));

    private static TokenVerification Verify(byte[] token, TokenExpectations? e = null) => CcaTokenVerifier.Verify(token, Cpak, e);
    private static TokenVerification VerifyClaims(ClaimList platform, ClaimList realm) => Verify(Assemble(TfRmmRelease.V06, platform, Cpak, realm, RakKey));

    private static void Refused(TokenVerification v, TokenFailure failure, string words)
    {
        Assert.False(v.Ok);
        Assert.Equal(failure, v.Failure);
        Assert.Contains(words, v.Reason);
        Assert.Null(v.Token); // claims of a refused token are not handed out
    }

    [Fact]
    public void The_unaltered_token_verifies()
    {
        var v = VerifyClaims(PlatformV06, RealmV06);
        Assert.True(v.Ok, v.Reason);
        Assert.Equal(TokenFailure.None, v.Failure);
    }

    [Fact]
    public void Structure_refusals()
    {
        var token = Assemble(TfRmmRelease.V06, PlatformV06, Cpak, RealmV06, RakKey);
        Refused(Verify(token[..^1]), TokenFailure.Malformed, "malformed token");
        Refused(Verify([.. token, 0x00]), TokenFailure.Malformed, "trailing bytes");
        Refused(Verify(token[3..]), TokenFailure.NotACcaToken, "no tag 399 or 907");
        Refused(Verify([0xD9, 0x01, 0x8E, .. token[3..]]), TokenFailure.NotACcaToken, "tag 398");

        var realm = Sign(RealmV06.Encode(), RakKey, HashAlgorithmName.SHA384);
        var platform = Sign(PlatformV06.Encode(), Cpak, HashAlgorithmName.SHA384);
        Refused(Verify(Map(399, (44241, realm))), TokenFailure.MissingToken, "no platform token (44234)");
        Refused(Verify(Map(399, (44234, platform))), TokenFailure.MissingToken, "no realm token (44241)");
        Refused(Verify(Map(399, (44234, platform), (44241, "text"))), TokenFailure.MissingToken, "realm token (44241) is not a byte string");
        Refused(Verify(Map(907, (44234, platform), (44241, realm))), TokenFailure.MissingToken, "[content-format, bytes] pair");
        Refused(Verify(Map(907, (44234, new object[] { 262, platform }), (44241, new object[] { 263, realm }))), TokenFailure.MissingToken, "content format 262, not 263");
        Refused(Verify(Map(399, (44234, platform), (44241, RealmV06.Encode()))), TokenFailure.BadCoseSign1, "realm token is not a COSE_Sign1");
        var detached = CoseSign1Message.SignDetached(RealmV06.Encode(), new CoseSigner(RakKey, HashAlgorithmName.SHA384));
        Refused(Verify(Map(399, (44234, platform), (44241, detached))), TokenFailure.BadCoseSign1, "detached payload");
    }

    [Fact]
    public void Claim_refusals_name_the_claim()
    {
        Refused(VerifyClaims(PlatformV06, RealmV06.Without(44238)), TokenFailure.BadRealmClaims, "RIM (44238) missing");
        Refused(VerifyClaims(PlatformV06, RealmV06.With(44238, new byte[20])), TokenFailure.BadRealmClaims, "RIM (44238) is 20 bytes");
        Refused(VerifyClaims(PlatformV06, RealmV06.With(10, new byte[32])), TokenFailure.BadRealmClaims, "realm challenge (10) is 32 bytes, not 64");
        Refused(VerifyClaims(PlatformV06, RealmV06.With(44239, new object[] { Rim, Rim, Rim })), TokenFailure.BadRealmClaims, "3 values, not 4");
        Refused(VerifyClaims(PlatformV06, RealmV06.With(265, "tag:arm.com,2024:realm#2.0.0")), TokenFailure.BadRealmClaims, "realm profile \"tag:arm.com,2024:realm#2.0.0\"");
        Refused(VerifyClaims(PlatformV06, RealmV06.With(44240, "md5")), TokenFailure.BadRealmClaims, "RAK hash algorithm (44240) \"md5\"");

        Refused(VerifyClaims(PlatformV06.Without(2401), RealmV06), TokenFailure.BadPlatformClaims, "platform config (2401) missing");
        Refused(VerifyClaims(PlatformV06.With(2395, 0x7000), RealmV06), TokenFailure.BadPlatformClaims, "security lifecycle (2395) 0x7000");
        Refused(VerifyClaims(PlatformV06.With(265, "tag:example"), RealmV06), TokenFailure.BadPlatformClaims, "platform profile \"tag:example\"");
        Refused(VerifyClaims(PlatformV06.With(256, new byte[33]), RealmV06), TokenFailure.BadPlatformClaims, "instance id (256)");
        Refused(VerifyClaims(PlatformV06.With(2399, new object[] { new ClaimList { (1, "BL"), (2, Rim) } }), RealmV06),
            TokenFailure.BadPlatformClaims, "software component [0] signer id (5) missing");

        var duplicate = new ClaimList();
        duplicate.AddRange(RealmV06);
        duplicate.Add((10, Challenge));
        Refused(VerifyClaims(PlatformV06, duplicate), TokenFailure.Malformed, "duplicate key 10");
    }

    [Fact]
    public void The_rak_must_be_a_p384_key_in_its_profiles_form()
    {
        // Under the realm profile the RAK is a COSE_Key; the raw point of older tokens is refused there.
        var raw = RawPoint(RakKey);
        var rawUnderProfile = RealmV06.With(44237, raw);
        Refused(VerifyClaims(PlatformClaims(TfRmmRelease.V06, SHA256.HashData(raw)), rawUnderProfile), TokenFailure.BadRak, "not a COSE_Key");
        using var p256 = Key("rak-256", p256: true);
        var small = CoseKey(p256, crv: 1);
        Refused(VerifyClaims(PlatformClaims(TfRmmRelease.V06, SHA256.HashData(small)), RealmV06.With(44237, small)), TokenFailure.BadRak, "P-256 key, not P-384");
        var wrongCurveId = CoseKey(RakKey, crv: 1);
        Refused(VerifyClaims(PlatformClaims(TfRmmRelease.V06, SHA256.HashData(wrongCurveId)), RealmV06.With(44237, wrongCurveId)), TokenFailure.BadRak, "not on its curve");
    }

    [Fact]
    public void Signature_binding_and_reference_value_refusals()
    {
        // A realm token signed by a key other than the RAK it names.
        using var impostor = Key("impostor");
        Refused(Verify(Assemble(TfRmmRelease.V06, PlatformV06, Cpak, RealmV06, impostor)), TokenFailure.RealmSignature, "does not verify with the RAK");
        using var otherPlatform = Key("other platform");
        Refused(CcaTokenVerifier.Verify(Assemble(TfRmmRelease.V06, PlatformV06, Cpak, RealmV06, RakKey), otherPlatform), TokenFailure.PlatformSignature, "platform key (CPAK)");
        Refused(VerifyClaims(PlatformClaims(TfRmmRelease.V06, SHA256.HashData(RawPoint(RakKey))), RealmV06), TokenFailure.NotBound, "not the sha-256 hash of the RAK");
        // The binding uses the RAK hash algorithm the realm token names.
        var sha512 = RealmV06.With(44240, "sha-512");
        Assert.True(VerifyClaims(PlatformClaims(TfRmmRelease.V06, SHA512.HashData(RakCose)), sha512).Ok);
        Refused(VerifyClaims(PlatformV06, sha512), TokenFailure.NotBound, "sha-512");

        var token = Assemble(TfRmmRelease.V06, PlatformV06, Cpak, RealmV06, RakKey);
        Refused(Verify(token, new TokenExpectations(Rim: SHA256.HashData([2]))), TokenFailure.RimMismatch, $"RIM is {Convert.ToHexStringLower(Rim)}, expected");
        Refused(Verify(token, new TokenExpectations(Challenge: Enumerable.Repeat((byte)1, 64).ToArray())), TokenFailure.ChallengeMismatch, "realm challenge is 0000");
        Assert.True(Verify(token, new TokenExpectations(Rim, Challenge)).Ok);
    }

    [Fact]
    public void The_realm_token_must_be_es384()
    {
        var realm = Sign(RealmV06.Encode(), RakKey, HashAlgorithmName.SHA512); // ES512 header on a P-384 key
        var platform = Sign(PlatformV06.Encode(), Cpak, HashAlgorithmName.SHA384);
        Refused(Verify(Collection(TfRmmRelease.V06, platform, realm)), TokenFailure.UnsupportedAlgorithm, "realm token algorithm is -36, not ES384");
    }

    private static byte[] Map(int tag, params (int Key, object Value)[] entries)
    {
        var inner = new ClaimList();
        inner.AddRange(entries);
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteTag((CborTag)tag);
        w.WriteEncodedValue(inner.Encode());
        return w.Encode();
    }
}
