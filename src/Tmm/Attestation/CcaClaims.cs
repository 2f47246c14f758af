namespace VirtCca.Tmm.Attestation;

/// <summary>CBOR keys and fixed values of the CCA token (RMM v1.0 §6.3).</summary>
public static class CcaClaims
{
    public const ulong TokenTag = 399;
    public const ulong CoseSign1Tag = 18;
    public const int CoseAlgorithmEs384 = -35;

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
    public const string RealmProfile = "tag:arm.com,2023:realm#1.0.0";

    public const int InstanceId = 256;
    public const int SecurityLifecycle = 2395;
    public const int ImplementationId = 2396;
    public const int SoftwareComponents = 2399;
    public const int VerificationService = 2400;
    public const int PlatformConfig = 2401;
    public const int PlatformHashAlgorithm = 2402;
    public const string PlatformProfile = "tag:arm.com,2023:cca_platform#1.0.0";

    // Software component map keys.
    public const int ComponentType = 1;
    public const int MeasurementValue = 2;
    public const int Version = 4;
    public const int SignerId = 5;
    public const int ComponentHashAlgorithm = 6;
}
