using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VirtCca.Tmm.Attestation;

namespace VirtCca.Launcher.Token;

/// <summary>A verified token's claims for people (aligned text) and for programs (JSON; bytes as lowercase hex).</summary>
internal static class TokenReport
{
    private static readonly HashSet<int> RealmKeys = [CcaClaims.Challenge, CcaClaims.Profile, CcaClaims.RealmPersonalizationValue, CcaClaims.RealmHashAlgorithm,
        CcaClaims.RealmPublicKey, CcaClaims.RealmPublicKeyHashAlgorithm, CcaClaims.RealmInitialMeasurement, CcaClaims.RealmExtensibleMeasurements];
    private static readonly HashSet<int> PlatformKeys = [CcaClaims.Challenge, CcaClaims.Profile, CcaClaims.InstanceId, CcaClaims.SecurityLifecycle,
        CcaClaims.ImplementationId, CcaClaims.SoftwareComponents, CcaClaims.VerificationService, CcaClaims.PlatformConfig, CcaClaims.PlatformHashAlgorithm];

    public static void WriteText(TextWriter o, string file, CcaToken t, ECDsa key, bool rimChecked, bool challengeChecked)
    {
        var checks = new StringBuilder("realm signature (RAK), platform signature, binding");
        if (rimChecked) checks.Append(", RIM");
        if (challengeChecked) checks.Append(", challenge");
        o.WriteLine($"{file}: verified ({FormName(t.Form)}; platform key {TokenCommand.Describe(key)})");
        o.WriteLine($"  checked: {checks}");

        var r = t.Realm;
        o.WriteLine($"realm token ({TokenCommand.CoseAlgorithmName(t.RealmAlgorithm)}, profile {r.Profile ?? "none (pre-1.0-rel0 form)"})");
        Line(o, "challenge", Hex(r.Challenge));
        Line(o, "personalization value", Hex(r.PersonalizationValue));
        Line(o, "hash algorithm", r.HashAlgorithm);
        Line(o, "initial measurement", Hex(r.Rim));
        for (int i = 0; i < r.Rems.Count; i++) Line(o, $"extensible measurement {i}", Hex(r.Rems[i]));
        Line(o, "public key (RAK)", $"{(r.PublicKeyEncoding == RakEncoding.CoseKey ? "COSE_Key" : "raw point")} {Hex(r.PublicKey)}");
        Line(o, "public key hash algorithm", r.PublicKeyHashAlgorithm);
        Others(o, r.All, RealmKeys);

        var p = t.Platform;
        o.WriteLine($"platform token ({TokenCommand.CoseAlgorithmName(t.PlatformAlgorithm)}, profile {p.Profile})");
        Line(o, "challenge", Hex(p.Challenge));
        Line(o, "implementation id", Hex(p.ImplementationId));
        Line(o, "instance id", Hex(p.InstanceId));
        Line(o, "config", Hex(p.Config));
        Line(o, "security lifecycle", $"{PlatformTokenClaims.LifecycleName(p.SecurityLifecycle)} (0x{p.SecurityLifecycle:x4})");
        Line(o, "hash algorithm", p.HashAlgorithm);
        if (p.VerificationService != null) Line(o, "verification service", p.VerificationService);
        for (int i = 0; i < p.SoftwareComponents.Count; i++)
        {
            var c = p.SoftwareComponents[i];
            var extra = string.Join(", ", new[] { c.Version is { } v ? "version " + v : null, c.HashAlgorithm }.Where(x => x != null));
            Line(o, $"software component {i}", $"{c.Type ?? "(no type)"}{(extra.Length > 0 ? " (" + extra + ")" : "")}");
            Line(o, "  measurement", Hex(c.MeasurementValue));
            Line(o, "  signer id", Hex(c.SignerId));
        }
        Others(o, p.All, PlatformKeys);
    }

    public static void WriteJson(TextWriter o, string file, TokenVerification v, ECDsa key)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteBoolean("verified", v.Ok);
            if (!v.Ok)
            {
                w.WriteString("failure", v.Failure.ToString());
                w.WriteString("reason", v.Reason);
            }
            else Claims(w, v.Token!, key);
            w.WriteEndObject();
        }
        o.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void Claims(Utf8JsonWriter w, CcaToken t, ECDsa key)
    {
        w.WriteString("form", t.Form == CcaCollectionForm.EatCollection ? "tag-399" : "tag-907");
        w.WriteString("platform-key", TokenCommand.Describe(key));
        var r = t.Realm;
        w.WriteStartObject("realm");
        w.WriteString("algorithm", TokenCommand.CoseAlgorithmName(t.RealmAlgorithm));
        w.WriteString("profile", r.Profile);
        w.WriteString("challenge", Hex(r.Challenge));
        w.WriteString("personalization-value", Hex(r.PersonalizationValue));
        w.WriteString("hash-algorithm", r.HashAlgorithm);
        w.WriteString("initial-measurement", Hex(r.Rim));
        w.WriteStartArray("extensible-measurements");
        foreach (var rem in r.Rems) w.WriteStringValue(Hex(rem));
        w.WriteEndArray();
        w.WriteString("public-key", Hex(r.PublicKey));
        w.WriteString("public-key-encoding", r.PublicKeyEncoding == RakEncoding.CoseKey ? "cose-key" : "raw-point");
        w.WriteString("public-key-hash-algorithm", r.PublicKeyHashAlgorithm);
        OtherKeys(w, r.All, RealmKeys);
        w.WriteEndObject();

        var p = t.Platform;
        w.WriteStartObject("platform");
        w.WriteString("algorithm", TokenCommand.CoseAlgorithmName(t.PlatformAlgorithm));
        w.WriteString("profile", p.Profile);
        w.WriteString("challenge", Hex(p.Challenge));
        w.WriteString("implementation-id", Hex(p.ImplementationId));
        w.WriteString("instance-id", Hex(p.InstanceId));
        w.WriteString("config", Hex(p.Config));
        w.WriteNumber("security-lifecycle", p.SecurityLifecycle);
        w.WriteString("security-lifecycle-name", PlatformTokenClaims.LifecycleName(p.SecurityLifecycle));
        w.WriteString("hash-algorithm", p.HashAlgorithm);
        w.WriteString("verification-service", p.VerificationService);
        w.WriteStartArray("software-components");
        foreach (var c in p.SoftwareComponents)
        {
            w.WriteStartObject();
            w.WriteString("type", c.Type);
            w.WriteString("measurement-value", Hex(c.MeasurementValue));
            w.WriteString("version", c.Version);
            w.WriteString("signer-id", Hex(c.SignerId));
            w.WriteString("hash-algorithm", c.HashAlgorithm);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        OtherKeys(w, p.All, PlatformKeys);
        w.WriteEndObject();
    }

    private static void OtherKeys(Utf8JsonWriter w, IReadOnlyDictionary<int, object> all, HashSet<int> known)
    {
        w.WriteStartArray("other-claims");
        foreach (var k in all.Keys.Where(k => !known.Contains(k)).Order()) w.WriteNumberValue(k);
        w.WriteEndArray();
    }

    private static void Others(TextWriter o, IReadOnlyDictionary<int, object> all, HashSet<int> known)
    {
        var others = all.Keys.Where(k => !known.Contains(k)).Order().ToArray();
        if (others.Length > 0) Line(o, "other claims (not checked)", string.Join(", ", others));
    }

    private static string FormName(CcaCollectionForm form) =>
        form == CcaCollectionForm.EatCollection ? "CCA token, tag 399 collection" : "CCA token, tag 907 CMW collection";

    private static void Line(TextWriter o, string name, string value) => o.WriteLine($"  {name,-27} {value}");

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);
}
