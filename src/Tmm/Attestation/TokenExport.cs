using System.Security.Cryptography;
using System.Text.Json;

namespace VirtCca.Tmm.Attestation;

/// <summary>One token a realm obtained, with the values a verifier should hold it to.</summary>
public sealed record ExportedToken(string Name, byte[] Token, byte[] Rim, byte[] Challenge)
{
    public string FileName => Name + ".cbor";
}

/// <summary>
/// Writes tokens so that a verifier outside the simulation can check them: <c>NAME.cbor</c> per
/// token (the bytes the realm received), <c>platform-key.pem</c> (the CPAK's public key) and
/// <c>expected.json</c> (per token file: the RIM and challenge to expect, as lowercase hex).
/// Then, for each token: <c>virtcca token verify DIR/NAME.cbor --key DIR/platform-key.pem --rim R --challenge C</c>.
/// </summary>
public static class TokenExport
{
    public const string KeyFile = "platform-key.pem";
    public const string ExpectedFile = "expected.json";

    public static void Write(string directory, ECDsa platformKey, IReadOnlyList<ExportedToken> tokens)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tokens)
        {
            if (t.Name.Length == 0 || t.Name.IndexOfAny(['/', '\\']) >= 0 || t.Name.StartsWith('.'))
                throw new ArgumentException($"token name \"{t.Name}\" is not a plain file name", nameof(tokens));
            if (!names.Add(t.Name)) throw new ArgumentException($"token name \"{t.Name}\" twice", nameof(tokens));
        }
        Directory.CreateDirectory(directory);
        foreach (var t in tokens) File.WriteAllBytes(Path.Combine(directory, t.FileName), t.Token);
        File.WriteAllText(Path.Combine(directory, KeyFile), PlatformKeyPem.Write(platformKey));

        using var stream = File.Create(Path.Combine(directory, ExpectedFile));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("platform-key", KeyFile);
        w.WriteStartObject("tokens");
        foreach (var t in tokens)
        {
            w.WriteStartObject(t.FileName);
            w.WriteString("rim", Convert.ToHexStringLower(t.Rim));
            w.WriteString("challenge", Convert.ToHexStringLower(t.Challenge));
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Reads back what <see cref="Write"/> wrote: the tokens with their expected values, and the platform key's PEM.</summary>
    public static (IReadOnlyList<ExportedToken> Tokens, string KeyPem) Read(string directory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, ExpectedFile)));
        var root = doc.RootElement;
        var tokens = new List<ExportedToken>();
        foreach (var entry in root.GetProperty("tokens").EnumerateObject())
        {
            var file = entry.Name;
            tokens.Add(new ExportedToken(Path.GetFileNameWithoutExtension(file), File.ReadAllBytes(Path.Combine(directory, file)),
                Convert.FromHexString(entry.Value.GetProperty("rim").GetString()!), Convert.FromHexString(entry.Value.GetProperty("challenge").GetString()!)));
        }
        return (tokens, File.ReadAllText(Path.Combine(directory, root.GetProperty("platform-key").GetString()!)));
    }
}
