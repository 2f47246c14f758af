using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>Reference values a verifier may hold the token to; null ones are not checked.</summary>
public sealed record TokenExpectations(byte[]? Rim = null, byte[]? Challenge = null);

/// <summary>
/// The outcome of verifying a CCA token: <see cref="Failure"/> None and the typed claims, or the
/// first check that failed with a sentence saying what and where. Claims of a refused token are
/// not handed out.
/// </summary>
public sealed record TokenVerification(TokenFailure Failure, string Reason, CcaToken? Token)
{
    public bool Ok => Failure == TokenFailure.None;

    /// <summary>The realm claims as decoded, by key (byte[], string, long, List&lt;object&gt;, maps).</summary>
    public IReadOnlyDictionary<int, object>? RealmClaims => Token?.Realm.All;

    public static TokenVerification Fail(TokenFailure failure, string reason) => new(failure, reason, null);
}

/// <summary>
/// Verifies a CCA token (either collection form, either realm-token profile) against the
/// platform's public key: structure, the realm token's ES384 signature with the RAK it carries,
/// the platform token's signature with the given key (ES256/384/512 by its curve), the binding
/// (platform challenge = hash of the RAK claim's bytes with the RAK hash algorithm), the claims'
/// types and sizes, and optionally the expected RIM and challenge. COSE_Sign1 decoding and
/// signature checks are System.Security.Cryptography.Cose's.
/// </summary>
public static class CcaTokenVerifier
{
    public static TokenVerification Verify(byte[] token, ECDsa platformKey, TokenExpectations? expected = null)
    {
        DecodedToken d;
        try { d = CcaTokenDecoder.Decode(token); }
        catch (TokenFormatException e) { return TokenVerification.Fail(e.Failure, e.Message); }
        var t = d.Token;

        if (t.RealmAlgorithm != CcaClaims.CoseAlgorithmEs384)
            return TokenVerification.Fail(TokenFailure.UnsupportedAlgorithm, $"realm token algorithm is {t.RealmAlgorithm}, not ES384 (-35)");
        using (var rak = t.Realm.OpenRak(out var why))
        {
            if (rak == null) return TokenVerification.Fail(TokenFailure.BadRak, why);
            if (!d.Realm.VerifyEmbedded(rak)) return TokenVerification.Fail(TokenFailure.RealmSignature, "realm token signature does not verify with the RAK it carries");
        }

        int keyAlgorithm = AlgorithmFor(platformKey);
        if (keyAlgorithm == 0) return TokenVerification.Fail(TokenFailure.UnsupportedAlgorithm, "the platform key is not on P-256, P-384 or P-521");
        if (t.PlatformAlgorithm != keyAlgorithm)
            return TokenVerification.Fail(TokenFailure.UnsupportedAlgorithm, $"platform token algorithm is {t.PlatformAlgorithm}, but the platform key is P-{platformKey.KeySize} ({keyAlgorithm})");
        if (!d.Platform.VerifyEmbedded(platformKey))
            return TokenVerification.Fail(TokenFailure.PlatformSignature, "platform token signature does not verify with the platform key (CPAK)");

        var binder = CcaClaims.Hash(t.Realm.PublicKeyHashAlgorithm, t.Realm.PublicKey)!;
        if (!binder.AsSpan().SequenceEqual(t.Platform.Challenge))
            return TokenVerification.Fail(TokenFailure.NotBound, $"platform challenge is not the {t.Realm.PublicKeyHashAlgorithm} hash of the RAK: the tokens are not bound");

        if (expected?.Rim is { } rim && !rim.AsSpan().SequenceEqual(t.Realm.Rim))
            return TokenVerification.Fail(TokenFailure.RimMismatch, $"RIM is {Convert.ToHexStringLower(t.Realm.Rim)}, expected {Convert.ToHexStringLower(rim)}");
        if (expected?.Challenge is { } challenge && !challenge.AsSpan().SequenceEqual(t.Realm.Challenge))
            return TokenVerification.Fail(TokenFailure.ChallengeMismatch, $"realm challenge is {Convert.ToHexStringLower(t.Realm.Challenge)}, expected {Convert.ToHexStringLower(challenge)}");
        return new TokenVerification(TokenFailure.None, "", t);
    }

    /// <summary>The COSE algorithm an ECDSA key of this curve signs with (RFC 9053 §2.1); 0 for another curve.</summary>
    public static int AlgorithmFor(ECDsa key) => CoseKeyEc2.CurveId(key.ExportParameters(false).Curve) switch
    {
        1 => CcaClaims.CoseAlgorithmEs256,
        2 => CcaClaims.CoseAlgorithmEs384,
        3 => CcaClaims.CoseAlgorithmEs512,
        _ => 0,
    };
}
