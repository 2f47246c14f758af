using System.CommandLine;
using System.Security.Cryptography;
using VirtCca.Tmm.Attestation;

namespace VirtCca.Launcher.Token;

/// <summary>
/// `virtcca token verify FILE.cbor --key KEY.pem [--rim HEX] [--challenge HEX] [--json]`: checks a
/// CCA token against the platform's public key and optional reference values, prints its claims.
/// Exit 0: verified; 1: the token is refused (the reason on stderr); 2: an input cannot be read.
/// </summary>
public static class TokenCommand
{
    public const int Refused = 1;
    public const int BadInput = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("token") { Description = "the token's CBOR bytes, e.g. DIR/attestation/realm0-rec0.cbor" };
        var key = new Option<string>("--key") { Description = "the platform's public key (PEM), e.g. DIR/attestation/platform-key.pem", Required = true };
        var rim = new Option<string?>("--rim") { Description = "expected realm initial measurement, hex" };
        var challenge = new Option<string?>("--challenge") { Description = "expected realm challenge (64 bytes), hex" };
        var json = new Option<bool>("--json") { Description = "print the claims (or the refusal) as JSON" };
        var verify = new Command("verify", "verify a CCA attestation token and print its claims") { file, key, rim, challenge, json };
        verify.SetAction(p => Verify(p.GetValue(file)!, p.GetValue(key)!, p.GetValue(rim), p.GetValue(challenge), p.GetValue(json), output, error));
        return new Command("token", "CCA attestation tokens") { verify };
    }

    public static int Verify(string file, string keyFile, string? rimHex, string? challengeHex, bool json, TextWriter output, TextWriter error)
    {
        int Fail(string what) { error.WriteLine($"error: token verify: {what}"); return BadInput; }

        if (!TryRead(file, File.ReadAllBytes, out var token, out var why)) return Fail($"cannot read {file}: {why}");
        if (!TryRead(keyFile, File.ReadAllText, out var pem, out why)) return Fail($"cannot read {keyFile}: {why}");
        using var key = PlatformKeyPem.Read(pem!, out why);
        if (key == null) return Fail($"{keyFile}: {why}");
        if (!TryHex(rimHex, out var rim)) return Fail($"--rim \"{rimHex}\" is not hex");
        if (!TryHex(challengeHex, out var challenge)) return Fail($"--challenge \"{challengeHex}\" is not hex");

        var v = CcaTokenVerifier.Verify(token!, key, new TokenExpectations(rim, challenge));
        if (json) TokenReport.WriteJson(output, file, v, key);
        if (!v.Ok)
        {
            error.WriteLine($"error: token verify: {file}: {v.Reason} ({v.Failure})");
            return Refused;
        }
        if (!json) TokenReport.WriteText(output, file, v.Token!, key, rim != null, challenge != null);
        return 0;
    }

    private static bool TryRead<T>(string path, Func<string, T> read, out T? value, out string why)
    {
        try
        {
            value = read(path);
            why = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            value = default;
            why = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return false;
        }
    }

    private static bool TryHex(string? text, out byte[]? bytes)
    {
        bytes = null;
        if (text == null) return true;
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        try { bytes = Convert.FromHexString(digits); }
        catch (FormatException) { return false; }
        return bytes.Length > 0;
    }

    /// <summary>The key's description for the report: curve and the COSE algorithm it verifies.</summary>
    internal static string Describe(ECDsa key) => $"P-{key.KeySize}, {CoseAlgorithmName(CcaTokenVerifier.AlgorithmFor(key))}";

    internal static string CoseAlgorithmName(int alg) => alg switch
    {
        CcaClaims.CoseAlgorithmEs256 => "ES256",
        CcaClaims.CoseAlgorithmEs384 => "ES384",
        CcaClaims.CoseAlgorithmEs512 => "ES512",
        _ => alg.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
