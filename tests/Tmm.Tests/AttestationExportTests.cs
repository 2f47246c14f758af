using System.Buffers.Binary;
using System.Text.Json;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Recs;
using static VirtCca.Tmm.Recs.GuestStep;

namespace VirtCca.Tmm.Tests;

/// <summary>A token the TMM hands a realm through RSI, exported to files and verified from them by two implementations.</summary>
public sealed class AttestationExportTests
{
    private static readonly ulong[] ChallengeWords = [.. Enumerable.Range(1, 8).Select(i => 0x1111111111111111UL * (ulong)i)];

    /// <summary>RSI_ATTESTATION_TOKEN_INIT on a REC, then the whole token the session holds (what CONTINUE would copy out).</summary>
    private static (byte[] Token, byte[] Challenge, RecSetup Setup) TokenThroughRsi()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.AttestationTokenInit, ChallengeWords));
        RecSetup.Ok(t.Enter());
        Assert.Equal(RsiFid.Success, t.Guest().Log[^1].X0);
        var session = t.S.Rmm.RecAt(t.Recs[0])!.Attestation!;
        var token = new byte[session.Length];
        Assert.Equal(token.Length, session.CopyNext(token));
        var challenge = new byte[64];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(challenge.AsSpan(8 * i), ChallengeWords[i]);
        return (token, challenge, t);
    }

    [Fact]
    public void An_exported_token_verifies_from_its_files_with_our_verifier_and_with_bouncy_castle()
    {
        var (token, challenge, t) = TokenThroughRsi();
        var rim = t.S.Rmm.Realms.Single().Measurement.Value(0);
        var dir = Path.Combine(Path.GetTempPath(), "virtcca-tests", Guid.NewGuid().ToString("N"), "attestation");
        try
        {
            TokenExport.Write(dir, t.S.Rmm.Platform.Cpak, [new ExportedToken("realm0-rec0", token, rim, challenge)]);
            Assert.Equal(["expected.json", "platform-key.pem", "realm0-rec0.cbor"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(token, File.ReadAllBytes(Path.Combine(dir, "realm0-rec0.cbor")));
            var pem = File.ReadAllText(Path.Combine(dir, TokenExport.KeyFile));
            Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem);
            Assert.DoesNotContain("PRIVATE", pem);
            using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, TokenExport.ExpectedFile))))
            {
                var entry = json.RootElement.GetProperty("tokens").GetProperty("realm0-rec0.cbor");
                Assert.Equal(Convert.ToHexStringLower(rim), entry.GetProperty("rim").GetString());
                Assert.Equal(Convert.ToHexStringLower(challenge), entry.GetProperty("challenge").GetString());
                Assert.Equal("platform-key.pem", json.RootElement.GetProperty("platform-key").GetString());
            }

            var (tokens, keyPem) = TokenExport.Read(dir);
            var exported = Assert.Single(tokens);
            using var key = PlatformKeyPem.Read(keyPem, out var why);
            Assert.NotNull(key);
            var v = CcaTokenVerifier.Verify(exported.Token, key, new TokenExpectations(exported.Rim, exported.Challenge));
            Assert.True(v.Ok, v.Reason);
            Assert.Equal(RakEncoding.CoseKey, v.Token!.Realm.PublicKeyEncoding);

            Assert.Null(BouncyCastleTokenCheck.Verify(exported.Token, keyPem));
            var tampered = (byte[])exported.Token.Clone();
            tampered[^10] ^= 0x01; // inside the realm token's signature
            Assert.Equal("realm signature", BouncyCastleTokenCheck.Verify(tampered, keyPem));
            tampered = (byte[])exported.Token.Clone();
            tampered[40] ^= 0x01; // inside the platform claims
            Assert.Equal("platform signature", BouncyCastleTokenCheck.Verify(tampered, keyPem));
            Assert.Equal(TokenFailure.PlatformSignature, CcaTokenVerifier.Verify(tampered, key).Failure);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public void Export_refuses_names_that_are_not_plain_file_names()
    {
        using var id = PlatformIdentity.FromSeed(3);
        foreach (var name in new[] { "", "../x", "a/b", ".hidden" })
            Assert.Throws<ArgumentException>(() => TokenExport.Write(Path.GetTempPath(), id.Cpak, [new ExportedToken(name, [1], [2], [3])]));
        Assert.Throws<ArgumentException>(() => TokenExport.Write(Path.GetTempPath(), id.Cpak, [new ExportedToken("a", [1], [2], [3]), new ExportedToken("a", [1], [2], [3])]));
    }

    [Fact]
    public void Pem_reading_says_what_is_wrong()
    {
        Assert.Null(PlatformKeyPem.Read("hello", out var why));
        Assert.Equal("not PEM: no -----BEGIN line", why);
        Assert.Null(PlatformKeyPem.Read("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", out why));
        Assert.StartsWith("no EC key in the PEM", why);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        Assert.Null(PlatformKeyPem.Read(rsa.ExportSubjectPublicKeyInfoPem(), out why));
        Assert.StartsWith("no EC key in the PEM", why);
        using var id = PlatformIdentity.FromSeed(3);
        using var back = PlatformKeyPem.Read(PlatformKeyPem.Write(id.Cpak), out why);
        Assert.Equal(id.Cpak.ExportSubjectPublicKeyInfo(), back!.ExportSubjectPublicKeyInfo());
    }
}
