using System.Formats.Cbor;
using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>The outcome of verifying a CCA token: ok, or the first reason it failed; the realm claims when decoded.</summary>
public sealed record TokenVerification(bool Ok, string Reason, IReadOnlyDictionary<int, object>? RealmClaims)
{
    public static TokenVerification Fail(string reason) => new(false, reason, null);
}

/// <summary>
/// Verifies a CCA token against the platform's CPAK public key: structure (tag 399, the two
/// COSE_Sign1s), both ES384 signatures, the platform challenge equal to the hash of the RAK the
/// realm token carries, and the required claims with their sizes.
/// </summary>
public static class CcaTokenVerifier
{
    public static TokenVerification Verify(byte[] token, ECDsa cpakPublic)
    {
        byte[] platformBytes, realmBytes;
        try
        {
            var r = new CborReader(token, CborConformanceMode.Lax);
            if (r.ReadTag() != (CborTag)CcaClaims.TokenTag) return TokenVerification.Fail("not a CCA token: missing tag 399");
            var map = ReadMap(r);
            if (r.BytesRemaining != 0) return TokenVerification.Fail("trailing bytes after the token");
            if (map.GetValueOrDefault(CcaClaims.PlatformToken) is not byte[] p) return TokenVerification.Fail("no platform token (44234)");
            if (map.GetValueOrDefault(CcaClaims.RealmDelegatedToken) is not byte[] rt) return TokenVerification.Fail("no realm token (44241)");
            platformBytes = p; realmBytes = rt;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return TokenVerification.Fail($"malformed token: {e.Message}");
        }

        var realm = CoseSign1.Decode(realmBytes, out var why);
        if (realm is not { } rs) return TokenVerification.Fail($"realm token: {why}");
        var platform = CoseSign1.Decode(platformBytes, out why);
        if (platform is not { } ps) return TokenVerification.Fail($"platform token: {why}");

        Dictionary<int, object> realmClaims, platformClaims;
        try
        {
            realmClaims = ReadMap(new CborReader(rs.Payload, CborConformanceMode.Lax));
            platformClaims = ReadMap(new CborReader(ps.Payload, CborConformanceMode.Lax));
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return TokenVerification.Fail($"malformed claims: {e.Message}");
        }

        if (realmClaims.GetValueOrDefault(CcaClaims.RealmPublicKey) is not byte[] rak) return TokenVerification.Fail("realm token has no RAK (44237)");
        using var rakKey = EcPoint.Decode(rak);
        if (rakKey == null) return TokenVerification.Fail("the RAK is not a P-384 point");
        if (!CoseSign1.Verify(rs.Protected, rs.Payload, rs.Signature, rakKey)) return TokenVerification.Fail("realm token signature does not verify with its RAK");
        if (!CoseSign1.Verify(ps.Protected, ps.Payload, ps.Signature, cpakPublic)) return TokenVerification.Fail("platform token signature does not verify with the CPAK");
        if (platformClaims.GetValueOrDefault(CcaClaims.Challenge) is not byte[] pc || !pc.AsSpan().SequenceEqual(SHA256.HashData(rak)))
            return TokenVerification.Fail("platform challenge is not the hash of the RAK: the tokens are not bound");

        var problem = CheckRealmClaims(realmClaims) ?? CheckPlatformClaims(platformClaims);
        return problem == null ? new TokenVerification(true, "", realmClaims) : TokenVerification.Fail(problem);
    }

    private static string? CheckRealmClaims(Dictionary<int, object> c)
    {
        if (c.GetValueOrDefault(CcaClaims.Profile) as string != CcaClaims.RealmProfile) return "realm profile (265) missing or wrong";
        if (c.GetValueOrDefault(CcaClaims.Challenge) is not byte[] { Length: 64 }) return "realm challenge (10) is not 64 bytes";
        if (c.GetValueOrDefault(CcaClaims.RealmPersonalizationValue) is not byte[] { Length: 64 }) return "RPV (44235) is not 64 bytes";
        int size = c.GetValueOrDefault(CcaClaims.RealmHashAlgorithm) switch { "sha-256" => 32, "sha-512" => 64, _ => 0 };
        if (size == 0) return "measurement hash algorithm (44236) is not sha-256 or sha-512";
        if (c.GetValueOrDefault(CcaClaims.RealmInitialMeasurement) is not byte[] rim || rim.Length != size) return "RIM (44238) missing or of the wrong size";
        if (c.GetValueOrDefault(CcaClaims.RealmExtensibleMeasurements) is not List<object> rems || rems.Count != 4 || rems.Any(x => x is not byte[] b || b.Length != size))
            return "REMs (44239) are not 4 values of the measurement size";
        if (c.GetValueOrDefault(CcaClaims.RealmPublicKeyHashAlgorithm) is not string) return "RAK hash algorithm (44240) missing";
        return null;
    }

    private static string? CheckPlatformClaims(Dictionary<int, object> c)
    {
        if (c.GetValueOrDefault(CcaClaims.Profile) as string != CcaClaims.PlatformProfile) return "platform profile (265) missing or wrong";
        foreach (var key in new[] { CcaClaims.InstanceId, CcaClaims.ImplementationId, CcaClaims.SecurityLifecycle, CcaClaims.SoftwareComponents, CcaClaims.PlatformHashAlgorithm })
            if (!c.ContainsKey(key)) return $"platform claim {key} missing";
        return null;
    }

    /// <summary>A map with integer keys; values as byte[], string, long, List&lt;object&gt; or nested maps.</summary>
    private static Dictionary<int, object> ReadMap(CborReader r)
    {
        int n = r.ReadStartMap() ?? throw new FormatException("indefinite-length maps are not allowed");
        var map = new Dictionary<int, object>();
        for (int i = 0; i < n; i++)
        {
            int key = r.ReadInt32();
            if (!map.TryAdd(key, ReadValue(r))) throw new FormatException($"duplicate key {key}");
        }
        r.ReadEndMap();
        return map;
    }

    private static object ReadValue(CborReader r) => r.PeekState() switch
    {
        CborReaderState.ByteString => r.ReadByteString(),
        CborReaderState.TextString => r.ReadTextString(),
        CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => r.ReadInt64(),
        CborReaderState.StartArray => ReadArray(r),
        CborReaderState.StartMap => ReadMap(r),
        var s => throw new FormatException($"unexpected CBOR item {s}"),
    };

    private static List<object> ReadArray(CborReader r)
    {
        int n = r.ReadStartArray() ?? throw new FormatException("indefinite-length arrays are not allowed");
        var list = new List<object>(n);
        for (int i = 0; i < n; i++) list.Add(ReadValue(r));
        r.ReadEndArray();
        return list;
    }
}
