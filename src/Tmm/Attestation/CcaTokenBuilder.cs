using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using VirtCca.Tmm.Measurement;

namespace VirtCca.Tmm.Attestation;

/// <summary>What a realm token states about one Realm.</summary>
public sealed record RealmClaims(byte[] Challenge, byte[] PersonalizationValue, RmiHashAlgorithm HashAlgorithm, byte[] Rim, IReadOnlyList<byte[]> Rems);

/// <summary>
/// Builds the CCA attestation token as RMM 1.0-rel0 and TF-RMM v0.6–v0.8 do: tag 399 around a map
/// holding the platform token (signed with the CPAK) and the realm token (signed with the RAK),
/// each a COSE_Sign1 with ES384 made by System.Security.Cryptography.Cose. The realm token carries
/// the realm profile and the RAK as a COSE_Key; the platform token's challenge is the SHA-256 hash
/// of that COSE_Key's bytes, which binds the two.
/// </summary>
public sealed class CcaTokenBuilder(PlatformIdentity identity)
{
    public const string RakHashAlgorithm = "sha-256";

    public byte[] Build(RealmClaims realm)
    {
        if (realm.Challenge.Length != 64) throw new ArgumentException("the challenge is 64 bytes", nameof(realm));
        if (realm.PersonalizationValue.Length != 64) throw new ArgumentException("the RPV is 64 bytes", nameof(realm));
        if (realm.Rems.Count != 4) throw new ArgumentException("a Realm has 4 REMs", nameof(realm));
        var rak = identity.RakCoseKey;
        var realmToken = Sign(RealmPayload(realm, rak), identity.Rak);
        var platformToken = Sign(PlatformPayload(SHA256.HashData(rak)), identity.Cpak);

        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteTag((CborTag)CcaClaims.TokenTag);
        w.WriteStartMap(2);
        w.WriteInt32(CcaClaims.PlatformToken);
        w.WriteByteString(platformToken);
        w.WriteInt32(CcaClaims.RealmDelegatedToken);
        w.WriteByteString(realmToken);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] Sign(byte[] payload, ECDsa key) =>
        CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, HashAlgorithmName.SHA384));

    private static byte[] RealmPayload(RealmClaims c, byte[] rak)
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(8);
        w.WriteInt32(CcaClaims.Challenge); w.WriteByteString(c.Challenge);
        w.WriteInt32(CcaClaims.Profile); w.WriteTextString(CcaClaims.RealmProfile);
        w.WriteInt32(CcaClaims.RealmPersonalizationValue); w.WriteByteString(c.PersonalizationValue);
        w.WriteInt32(CcaClaims.RealmHashAlgorithm); w.WriteTextString(c.HashAlgorithm.TokenName());
        w.WriteInt32(CcaClaims.RealmPublicKey); w.WriteByteString(rak);
        w.WriteInt32(CcaClaims.RealmInitialMeasurement); w.WriteByteString(c.Rim);
        w.WriteInt32(CcaClaims.RealmExtensibleMeasurements);
        w.WriteStartArray(4);
        foreach (var rem in c.Rems) w.WriteByteString(rem);
        w.WriteEndArray();
        w.WriteInt32(CcaClaims.RealmPublicKeyHashAlgorithm); w.WriteTextString(RakHashAlgorithm);
        w.WriteEndMap();
        return w.Encode();
    }

    private byte[] PlatformPayload(byte[] challenge)
    {
        var cpak = EcPoint.Encode(identity.Cpak.ExportParameters(false));
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(9);
        w.WriteInt32(CcaClaims.Challenge); w.WriteByteString(challenge);
        w.WriteInt32(CcaClaims.InstanceId); w.WriteByteString([0x01, .. SHA256.HashData(cpak)]); // UEID type RAND
        w.WriteInt32(CcaClaims.Profile); w.WriteTextString(CcaClaims.PlatformProfile);
        w.WriteInt32(CcaClaims.SecurityLifecycle); w.WriteInt32(0x3000); // secured
        w.WriteInt32(CcaClaims.ImplementationId); w.WriteByteString(SHA256.HashData("virtcca-actors simulated platform"u8));
        w.WriteInt32(CcaClaims.SoftwareComponents);
        w.WriteStartArray(1);
        w.WriteStartMap(4);
        w.WriteInt32(CcaClaims.ComponentType); w.WriteTextString("TMM");
        w.WriteInt32(CcaClaims.MeasurementValue); w.WriteByteString(SHA256.HashData("virtcca-actors TMM model"u8));
        w.WriteInt32(CcaClaims.SignerId); w.WriteByteString(SHA256.HashData(cpak));
        w.WriteInt32(CcaClaims.ComponentHashAlgorithm); w.WriteTextString("sha-256");
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteInt32(CcaClaims.VerificationService); w.WriteTextString("https://verifier.invalid/virtcca");
        w.WriteInt32(CcaClaims.PlatformConfig); w.WriteByteString([0]);
        w.WriteInt32(CcaClaims.PlatformHashAlgorithm); w.WriteTextString("sha-256");
        w.WriteEndMap();
        return w.Encode();
    }
}
