using System.Text.Json;
using VirtCca.Launcher.Token;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Measurement;
using VirtCca.Tmm.Tests;

namespace VirtCca.Launcher.Tests;

/// <summary>`virtcca token verify` on exported TMM tokens and on tokens in TF-RMM's forms, through the real command line.</summary>
public sealed class TokenCommandTests
{
    private static readonly PlatformIdentity Identity = PlatformIdentity.FromSeed(11);
    private static readonly byte[] Challenge = [.. Enumerable.Range(0, 64).Select(i => (byte)(3 * i))];

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Build(o, e).Parse(args).Invoke();
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>A token as the TMM builds it for a realm, exported with its key and expected values.</summary>
    private static (string Dir, string Token, string Key, ExportedToken Expected) Exported()
    {
        var m = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        m.MeasureRealmCreate(0, 40, 0, 1, 1, 0);
        var token = new CcaTokenBuilder(Identity).Build(new RealmClaims(Challenge, new byte[64], RmiHashAlgorithm.Sha256, m.Value(0),
            [.. Enumerable.Range(1, 4).Select(m.Value)]));
        var dir = Path.Combine(Paths.TempDir(), "attestation");
        var expected = new ExportedToken("realm0-rec0", token, m.Value(0), Challenge);
        TokenExport.Write(dir, Identity.Cpak, [expected]);
        return (dir, Path.Combine(dir, expected.FileName), Path.Combine(dir, TokenExport.KeyFile), expected);
    }

    private static void OneErrorLine(string err, string words)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: token verify: ", lines[0]);
        Assert.Contains(words, lines[0]);
        Assert.DoesNotContain(" at VirtCca", err);
    }

    [Fact]
    public void An_exported_token_verifies_and_its_claims_are_printed()
    {
        var (_, token, key, x) = Exported();
        var (code, output, err) = Cli("token", "verify", token, "--key", key, "--rim", Convert.ToHexString(x.Rim), "--challenge", Convert.ToHexStringLower(x.Challenge));
        Assert.Equal((0, ""), (code, err));
        Assert.StartsWith($"{token}: verified (CCA token, tag 399 collection; platform key P-384, ES384)", output);
        Assert.Contains("checked: realm signature (RAK), platform signature, binding, RIM, challenge", output);
        Assert.Contains($"initial measurement         {Convert.ToHexStringLower(x.Rim)}", output);
        Assert.Contains($"challenge                   {Convert.ToHexStringLower(Challenge)}", output);
        Assert.Contains("realm token (ES384, profile tag:arm.com,2023:realm#1.0.0)", output);
        Assert.Contains("security lifecycle          secured (0x3000)", output);
        Assert.Contains("software component 0        TMM (sha-256)", output);
    }

    [Fact]
    public void Json_output_carries_the_typed_claims()
    {
        var (_, token, key, x) = Exported();
        var (code, output, _) = Cli("token", "verify", token, "--key", key, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("verified").GetBoolean());
        Assert.Equal("tag-399", root.GetProperty("form").GetString());
        var realm = root.GetProperty("realm");
        Assert.Equal(Convert.ToHexStringLower(x.Rim), realm.GetProperty("initial-measurement").GetString());
        Assert.Equal(Convert.ToHexStringLower(Identity.RakCoseKey), realm.GetProperty("public-key").GetString());
        Assert.Equal("cose-key", realm.GetProperty("public-key-encoding").GetString());
        Assert.Equal(4, realm.GetProperty("extensible-measurements").GetArrayLength());
        var platform = root.GetProperty("platform");
        Assert.Equal(12288, platform.GetProperty("security-lifecycle").GetInt32());
        Assert.Equal("TMM", platform.GetProperty("software-components")[0].GetProperty("type").GetString());
    }

    [Fact]
    public void A_one_byte_change_anywhere_fails_with_one_line()
    {
        var (dir, token, key, x) = Exported();
        var bad = Path.Combine(dir, "bad.cbor");
        for (int i = 0; i < x.Token.Length; i++)
        {
            var bytes = (byte[])x.Token.Clone();
            bytes[i] ^= 0x01;
            File.WriteAllBytes(bad, bytes);
            var (code, output, err) = Cli("token", "verify", bad, "--key", key);
            Assert.True(code == TokenCommand.Refused, $"byte {i}: exit {code}, {err}");
            Assert.Equal("", output);
            OneErrorLine(err, bad + ": ");
        }
    }

    [Fact]
    public void The_wrong_key_and_wrong_reference_values_fail()
    {
        var (dir, token, _, x) = Exported();
        using var other = PlatformIdentity.FromSeed(12);
        var otherKey = Path.Combine(dir, "other.pem");
        File.WriteAllText(otherKey, PlatformKeyPem.Write(other.Cpak));
        var (code, _, err) = Cli("token", "verify", token, "--key", otherKey);
        Assert.Equal(TokenCommand.Refused, code);
        OneErrorLine(err, "platform token signature does not verify with the platform key (CPAK) (PlatformSignature)");

        var key = Path.Combine(dir, TokenExport.KeyFile);
        var wrongRim = (byte[])x.Rim.Clone();
        wrongRim[0] ^= 0xFF;
        (code, _, err) = Cli("token", "verify", token, "--key", key, "--rim", Convert.ToHexString(wrongRim));
        Assert.Equal(TokenCommand.Refused, code);
        OneErrorLine(err, $"RIM is {Convert.ToHexStringLower(x.Rim)}, expected {Convert.ToHexStringLower(wrongRim)} (RimMismatch)");

        (code, _, err) = Cli("token", "verify", token, "--key", key, "--challenge", "0x" + new string('0', 128));
        Assert.Equal(TokenCommand.Refused, code);
        OneErrorLine(err, "(ChallengeMismatch)");

        (code, var json, _) = Cli("token", "verify", token, "--key", key, "--challenge", "00", "--json");
        Assert.Equal(TokenCommand.Refused, code);
        using var doc = JsonDocument.Parse(json);
        Assert.False(doc.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("ChallengeMismatch", doc.RootElement.GetProperty("failure").GetString());
    }

    [Fact]
    public void Unreadable_inputs_get_one_line_and_exit_2()
    {
        var (dir, token, key, _) = Exported();
        var missing = Path.Combine(dir, "missing.cbor");
        var (code, _, err) = Cli("token", "verify", missing, "--key", key);
        Assert.Equal(TokenCommand.BadInput, code);
        OneErrorLine(err, $"cannot read {missing}: no such file");

        (code, _, err) = Cli("token", "verify", token, "--key", token);
        Assert.Equal(TokenCommand.BadInput, code);
        OneErrorLine(err, $"{token}: not PEM: no -----BEGIN line");

        var rsa = Path.Combine(dir, "rsa.pem");
        using (var r = System.Security.Cryptography.RSA.Create(2048)) File.WriteAllText(rsa, r.ExportSubjectPublicKeyInfoPem());
        (code, _, err) = Cli("token", "verify", token, "--key", rsa);
        Assert.Equal(TokenCommand.BadInput, code);
        OneErrorLine(err, $"{rsa}: no EC key in the PEM");

        (code, _, err) = Cli("token", "verify", token, "--key", key, "--rim", "12G4");
        Assert.Equal(TokenCommand.BadInput, code);
        OneErrorLine(err, "--rim \"12G4\" is not hex");

        var garbage = Path.Combine(dir, "garbage.cbor");
        File.WriteAllText(garbage, "not a token at all");
        (code, _, err) = Cli("token", "verify", garbage, "--key", key);
        Assert.Equal(TokenCommand.Refused, code);
        OneErrorLine(err, "(NotACcaToken)");
        File.WriteAllBytes(garbage, []);
        (code, _, err) = Cli("token", "verify", garbage, "--key", key);
        Assert.Equal(TokenCommand.Refused, code);
        OneErrorLine(err, "(Malformed)");
    }

    [Theory]
    [InlineData(TfRmmRelease.V05, "tag-399", null)]
    [InlineData(TfRmmRelease.V06, "tag-399", "tag:arm.com,2023:realm#1.0.0")]
    [InlineData(TfRmmRelease.V09, "tag-907", "tag:arm.com,2023:realm#1.0.0")]
    public void Tokens_in_tf_rmm_forms_verify(TfRmmRelease release, string form, string? profile)
    {
        using var cpak = TfRmmFormatTokens.Key("cpak");
        using var rak = TfRmmFormatTokens.Key("rak");
        var rim = System.Security.Cryptography.SHA256.HashData("tf-rmm"u8);
        var dir = Paths.TempDir();
        var file = Path.Combine(dir, "token.cbor");
        var key = Path.Combine(dir, "cpak.pem");
        File.WriteAllBytes(file, TfRmmFormatTokens.Build(release, cpak, rak, Challenge, rim));
        File.WriteAllText(key, cpak.ExportSubjectPublicKeyInfoPem());

        var (code, output, err) = Cli("token", "verify", file, "--key", key, "--rim", Convert.ToHexString(rim), "--challenge", Convert.ToHexString(Challenge), "--json");
        Assert.Equal((0, ""), (code, err));
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(form, doc.RootElement.GetProperty("form").GetString());
        Assert.Equal(profile, doc.RootElement.GetProperty("realm").GetProperty("profile").GetString());
        var components = doc.RootElement.GetProperty("platform").GetProperty("software-components");
        Assert.Equal(release == TfRmmRelease.V05 ? 4 : 13, components.GetArrayLength());
        var others = doc.RootElement.GetProperty("realm").GetProperty("other-claims").EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal(release == TfRmmRelease.V09 ? [44243] : [], others);

        (code, output, _) = Cli("token", "verify", file, "--key", key);
        Assert.Equal(0, code);
        if (release == TfRmmRelease.V09) Assert.Matches(@"other claims \(not checked\) +44243", output);
    }
}
