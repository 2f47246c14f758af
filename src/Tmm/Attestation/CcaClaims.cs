namespace VirtCca.Tmm.Attestation;

/// <summary>
/// CBOR keys and fixed values of the CCA token (RMM v1.0 §6.3 and the CCA token draft, as TF-RMM
/// writes them: <c>lib/attestation/src/attestation_defs_priv.h</c>, later <c>app/attestation/…</c>).
/// </summary>
public static class CcaClaims
{
    /// <summary>The EAT collection: tag 399 around <c>{44234: bstr, 44241: bstr}</c> (RMM 1.0, TF-RMM up to v0.8).</summary>
    public const ulong TokenTag = 399;
    /// <summary>The CMW collection: tag 907 around <c>{44234: [263, bstr], 44241: [263, bstr]}</c> (RMM 1.1, TF-RMM v0.9 default).</summary>
    public const ulong CmwTokenTag = 907;
    /// <summary>The CoAP content format TF-RMM puts before each token of a CMW collection (its COAP_EAT_CWT_TYPE).</summary>
    public const int CmwContentFormat = 263;
    public const ulong CoseSign1Tag = 18;
    public const int CoseAlgorithmEs256 = -7;
    public const int CoseAlgorithmEs384 = -35;
    public const int CoseAlgorithmEs512 = -36;

    public const int PlatformToken = 44234;
    public const int RealmDelegatedToken = 44241;

    public const int Challenge = 10;
    public const int Profile = 265;

    public const int RealmPersonalizationValue = 44235;
    public const int RealmHashAlgorithm = 44236;
    public const int RealmPublicKey = 44237;
    public const int RealmPublicKeyHashAlgorithm = 44240;
    public const int RealmInitialMeasurement = 44238;
    public const int RealmExtensibleMeasurements = 44239;
    /// <summary>With this profile the RAK claim is a COSE_Key; a realm token without a profile (TF-RMM before v0.6) carries the raw point.</summary>
    public const string RealmProfile = "tag:arm.com,2023:realm#1.0.0";

    public const int InstanceId = 256;
    public const int SecurityLifecycle = 2395;
    public const int ImplementationId = 2396;
    public const int SoftwareComponents = 2399;
    public const int VerificationService = 2400;
    public const int PlatformConfig = 2401;
    public const int PlatformHashAlgorithm = 2402;
    public const string PlatformProfile = "tag:arm.com,2023:cca_platform#1.0.0";
    /// <summary>The platform profile of the earlier draft, still in FVP test tokens.</summary>
    public const string PlatformProfileLegacy = "http://arm.com/CCA-SSD/1.0.0";

    // Software component map keys.
    public const int ComponentType = 1;
    public const int MeasurementValue = 2;
    public const int Version = 4;
    public const int SignerId = 5;
    public const int ComponentHashAlgorithm = 6;

    /// <summary>Digest size of a hash algorithm as the token names it (IANA hash function text names); 0 when unknown.</summary>
    public static int DigestSize(string? name) => name switch
    {
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => 0,
    };

    /// <summary>The digest of <paramref name="data"/> with the named algorithm; null when the name is not one of <see cref="DigestSize"/>'s.</summary>
    public static byte[]? Hash(string? name, ReadOnlySpan<byte> data) => name switch
    {
        "sha-256" => System.Security.Cryptography.SHA256.HashData(data),
        "sha-384" => System.Security.Cryptography.SHA384.HashData(data),
        "sha-512" => System.Security.Cryptography.SHA512.HashData(data),
        _ => null,
    };
}
