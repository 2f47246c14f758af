using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>How the realm token carries the RAK (claim 44237).</summary>
public enum RakEncoding
{
    /// <summary>A serialized COSE_Key: realm profile "tag:arm.com,2023:realm#1.0.0" (RMM 1.0-rel0, TF-RMM v0.6 on).</summary>
    CoseKey,
    /// <summary>The raw uncompressed P-384 point, 97 bytes: realm tokens without a profile (TF-RMM before v0.6).</summary>
    RawPoint,
}

/// <summary>The claims of a realm token, typed; <see cref="All"/> keeps every claim as decoded, unknown ones included.</summary>
public sealed record RealmTokenClaims(
    string? Profile,
    byte[] Challenge,
    byte[] PersonalizationValue,
    string HashAlgorithm,
    byte[] Rim,
    IReadOnlyList<byte[]> Rems,
    byte[] PublicKey,
    RakEncoding PublicKeyEncoding,
    string PublicKeyHashAlgorithm,
    IReadOnlyDictionary<int, object> All)
{
    /// <summary>The RAK as a key to verify with; null and the reason when the claim does not hold a P-384 key.</summary>
    public ECDsa? OpenRak(out string reason)
    {
        if (PublicKeyEncoding == RakEncoding.RawPoint)
        {
            var raw = EcPoint.Decode(PublicKey);
            reason = raw == null ? "the RAK (44237) is not an uncompressed P-384 point" : "";
            return raw;
        }
        var key = CoseKeyEc2.Decode(PublicKey, out reason);
        if (key == null) { reason = $"the RAK (44237): {reason}"; return null; }
        if (key.KeySize != 384) { key.Dispose(); reason = $"the RAK (44237) is a P-{key.KeySize} key, not P-384"; return null; }
        return key;
    }

    internal static RealmTokenClaims Parse(IReadOnlyDictionary<int, object> c)
    {
        string? profile = null;
        if (c.TryGetValue(CcaClaims.Profile, out var p))
        {
            profile = p as string ?? throw Bad("realm profile (265) is not text");
            if (profile != CcaClaims.RealmProfile) throw Bad($"realm profile \"{profile}\" is not {CcaClaims.RealmProfile}");
        }
        var challenge = Bytes(c, CcaClaims.Challenge, "realm challenge (10)", 64);
        var rpv = Bytes(c, CcaClaims.RealmPersonalizationValue, "RPV (44235)", 64);
        // The draft types the hash algorithm as any text and each measurement as 32, 48 or 64 bytes,
        // without tying the two together; so does this reader.
        var alg = Text(c, CcaClaims.RealmHashAlgorithm, "measurement hash algorithm (44236)");
        var rim = Measurement(c.GetValueOrDefault(CcaClaims.RealmInitialMeasurement), "RIM (44238)");
        if (c.GetValueOrDefault(CcaClaims.RealmExtensibleMeasurements) is not List<object> list)
            throw Bad("REMs (44239) missing or not an array");
        if (list.Count != 4) throw Bad($"REMs (44239) hold {list.Count} values, not 4");
        var rems = list.Select((rem, i) => Measurement(rem, $"REM[{i}] (44239)")).ToArray();
        var rak = c.GetValueOrDefault(CcaClaims.RealmPublicKey) as byte[] ?? throw Bad("RAK (44237) missing or not a byte string");
        var rakHash = Text(c, CcaClaims.RealmPublicKeyHashAlgorithm, "RAK hash algorithm (44240)");
        if (CcaClaims.DigestSize(rakHash) == 0) throw Bad($"RAK hash algorithm (44240) \"{rakHash}\" is not sha-256, sha-384 or sha-512");
        var encoding = profile == null ? RakEncoding.RawPoint : RakEncoding.CoseKey;
        return new RealmTokenClaims(profile, challenge, rpv, alg, rim, rems, rak, encoding, rakHash, c);
    }

    private static byte[] Bytes(IReadOnlyDictionary<int, object> c, int key, string name, int size) =>
        c.GetValueOrDefault(key) switch
        {
            byte[] b when b.Length == size => b,
            byte[] b => throw Bad($"{name} is {b.Length} bytes, not {size}"),
            null => throw Bad($"{name} missing"),
            _ => throw Bad($"{name} is not a byte string"),
        };

    private static byte[] Measurement(object? value, string name) => value switch
    {
        byte[] { Length: 32 or 48 or 64 } b => b,
        byte[] b => throw Bad($"{name} is {b.Length} bytes, not 32, 48 or 64"),
        null => throw Bad($"{name} missing"),
        _ => throw Bad($"{name} is not a byte string"),
    };

    private static string Text(IReadOnlyDictionary<int, object> c, int key, string name) =>
        c.GetValueOrDefault(key) as string ?? throw Bad($"{name} missing or not text");

    private static TokenFormatException Bad(string why) => new(TokenFailure.BadRealmClaims, why);
}
