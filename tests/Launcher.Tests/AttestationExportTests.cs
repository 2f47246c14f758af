using System.Text.Json;
using VirtCca.Launcher.Results;
using VirtCca.Launcher.Token;
using VirtCca.Tmm.Attestation;

namespace VirtCca.Launcher.Tests;

/// <summary>
/// Issue 11 part 2: a machine run writes every token its realms obtained to DIR/attestation/ with the
/// platform key and the model's reference values, and `virtcca token verify` checks them there.
/// </summary>
public sealed class AttestationExportTests
{
    // Each vCPU asks for a token with its own challenge (X1..X5 = vcpu-specific words) and has it copied into image page 2 or 3.
    private static string Experiment(string configuration = "virtcca-sel2") => Runs.Write(Runs.MachineHead + $$"""
        machine {
          configuration = {{configuration}}
          programs = [
            [ { op = rsi-call, fid = "0xC4000194", args = [1, 2, 3, 4, 5] }, { op = rsi-call, fid = "0xC4000195", args = ["0x2000", 0, "0x1000"] } ]
            [ { op = compute, cycles = 1000 }, { op = rsi-call, fid = "0xC4000194", args = [9, 8, 7] }, { op = rsi-call, fid = "0xC4000195", args = ["0x3000", 0, "0x1000"] } ]
          ]
        }
        """);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Build(o, e).Parse(args).Invoke();
        return (code, o.ToString(), e.ToString());
    }

    private static byte[] Challenge(params ulong[] words)
    {
        var c = new byte[64];
        for (int i = 0; i < words.Length; i++) BitConverter.TryWriteBytes(c.AsSpan(8 * i), words[i]);
        return c;
    }

    [Theory]
    [InlineData("virtcca-sel2")]
    [InlineData("virtcca-el3")]
    public void A_run_exports_each_token_a_realm_obtained_and_each_verifies_against_the_models_values(string configuration)
    {
        var dir = Paths.TempDir();
        var run = Runs.RunIn(dir, Experiment(configuration));
        Assert.Equal(0, run.Code);
        Assert.Contains("attestation: 2 token(s)", run.Out);
        var folder = Path.Combine(dir, AttestationExport.Folder);
        var (tokens, pem) = TokenExport.Read(folder);
        Assert.Equal(["guest0-vcpu0-1", "guest0-vcpu1-1"], tokens.Select(t => t.Name).Order());
        Assert.Equal(Challenge(1, 2, 3, 4, 5), tokens.Single(t => t.Name == "guest0-vcpu0-1").Challenge);
        Assert.Equal(Challenge(9, 8, 7), tokens.Single(t => t.Name == "guest0-vcpu1-1").Challenge);
        Assert.Contains("-----BEGIN PUBLIC KEY-----", pem);
        foreach (var t in tokens)
        {
            var (code, output, err) = Cli("token", "verify", Path.Combine(folder, t.FileName), "--key", Path.Combine(folder, TokenExport.KeyFile),
                "--rim", Convert.ToHexString(t.Rim), "--challenge", Convert.ToHexString(t.Challenge));
            Assert.True(code == 0, err);
            Assert.Contains("checked: realm signature (RAK), platform signature, binding, RIM, challenge", output);
        }
        // One realm, so one RIM; what expected.json holds is the model's measurement, equal to the token's claim.
        Assert.Single(tokens.Select(t => Convert.ToHexString(t.Rim)).Distinct());
    }

    [Fact]
    public void A_one_byte_change_the_wrong_key_and_wrong_reference_values_fail_an_exported_token()
    {
        var dir = Paths.TempDir();
        Assert.Equal(0, Runs.RunIn(dir, Experiment()).Code);
        var folder = Path.Combine(dir, AttestationExport.Folder);
        var (tokens, _) = TokenExport.Read(folder);
        var t = tokens.Single(x => x.Name == "guest0-vcpu0-1");
        var key = Path.Combine(folder, TokenExport.KeyFile);

        var bad = Path.Combine(folder, "bad.cbor");
        for (int i = 0; i < t.Token.Length; i += 7) // every 7th byte: the whole token in a few hundred runs of the verifier
        {
            var bytes = (byte[])t.Token.Clone();
            bytes[i] ^= 0x20;
            File.WriteAllBytes(bad, bytes);
            var (code, _, err) = Cli("token", "verify", bad, "--key", key);
            Assert.True(code == TokenCommand.Refused, $"byte {i}: exit {code}, {err}");
        }

        using var other = PlatformIdentity.FromSeed(99);
        var otherKey = Path.Combine(folder, "other.pem");
        File.WriteAllText(otherKey, PlatformKeyPem.Write(other.Cpak));
        var file = Path.Combine(folder, t.FileName);
        Assert.Equal(TokenCommand.Refused, Cli("token", "verify", file, "--key", otherKey).Code);

        var rim = (byte[])t.Rim.Clone();
        rim[^1] ^= 1;
        var wrong = Cli("token", "verify", file, "--key", key, "--rim", Convert.ToHexString(rim));
        Assert.Equal(TokenCommand.Refused, wrong.Code);
        Assert.Contains("(RimMismatch)", wrong.Err);
        var challenge = (byte[])t.Challenge.Clone();
        challenge[0] ^= 1;
        wrong = Cli("token", "verify", file, "--key", key, "--challenge", Convert.ToHexString(challenge));
        Assert.Equal(TokenCommand.Refused, wrong.Code);
        Assert.Contains("(ChallengeMismatch)", wrong.Err);
        // The other vCPU's challenge is not this token's.
        var theirs = tokens.Single(x => x.Name == "guest0-vcpu1-1").Challenge;
        Assert.Equal(TokenCommand.Refused, Cli("token", "verify", file, "--key", key, "--challenge", Convert.ToHexString(theirs)).Code);
    }

    [Fact]
    public void A_run_without_tokens_writes_no_attestation_folder()
    {
        var dir = Paths.TempDir();
        var run = Runs.RunIn(dir, Runs.Write(Runs.MachineHead + "machine.program = [ { op = compute, cycles = 100 } ]"));
        Assert.Equal(0, run.Code);
        Assert.False(Directory.Exists(Path.Combine(dir, AttestationExport.Folder)));
        Assert.DoesNotContain("attestation:", run.Out);
    }
}
