using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace VirtCca.Tmm.Tests;

/// <summary>Which TF-RMM (with TF-A's FVP platform token) a token is shaped after.</summary>
public enum TfRmmRelease
{
    /// <summary>TF-RMM up to v0.5: tag 399, realm token without a profile and with the raw 97-byte RAK; TF-A's older FVP platform token (profile "http://arm.com/CCA-SSD/1.0.0", four components with versions).</summary>
    V05,
    /// <summary>TF-RMM v0.6–v0.8 (RMM 1.0-rel0): tag 399, realm profile, RAK as a COSE_Key; TF-A's current FVP platform token (2023 platform profile, thirteen components).</summary>
    V06,
    /// <summary>TF-RMM v0.9 default (RMM 1.1): tag 907 CMW collection of [263, bstr] pairs, the MEC policy claim (44243) added to the realm token.</summary>
    V09,
}

/// <summary>An ordered CBOR map, written in exactly this key order (producers do not sort).</summary>
public sealed class ClaimList : List<(int Key, object Value)>
{
    public ClaimList Without(int key) { var c = new ClaimList(); c.AddRange(this.Where(e => e.Key != key)); return c; }

    public ClaimList With(int key, object value)
    {
        var c = new ClaimList();
        c.AddRange(this.Select(e => e.Key == key ? (key, value) : e));
        if (!c.Any(e => e.Key == key)) c.Add((key, value));
        return c;
    }

    public byte[] Encode()
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        Write(w, this);
        return w.Encode();
    }

    private static void Write(CborWriter w, object value)
    {
        switch (value)
        {
            case byte[] b: w.WriteByteString(b); break;
            case string s: w.WriteTextString(s); break;
            case int i: w.WriteInt32(i); break;
            case ClaimList map:
                w.WriteStartMap(map.Count);
                foreach (var (k, v) in map) { w.WriteInt32(k); Write(w, v); }
                w.WriteEndMap();
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object>().ToArray();
                w.WriteStartArray(items.Length);
                foreach (var item in items) Write(w, item);
                w.WriteEndArray();
                break;
            default: throw new ArgumentException($"no CBOR form for {value.GetType()}");
        }
    }
}

/// <summary>
/// Builds CCA tokens in the exact form TF-RMM and TF-A produce on the FVP — a second code path,
/// sharing nothing with <c>CcaTokenBuilder</c>: claims written here in the producers' key order
/// (not canonical), COSE_Sign1 by System.Security.Cryptography.Cose directly, the COSE_Key spelled
/// out here. What each form holds was read from, and checked field by field against: Veraison's
/// vectors <c>ccatoken/realm/testvectors/tf-rmm/cca_token.cbor</c> (= <c>rust-ccatoken/testdata/cca-token-01.cbor</c>;
/// V05) and <c>rust-ccatoken/testdata/cca-token-draft-ffm-00.cbor</c> (V06's platform token and
/// COSE_Key RAK); TF-RMM's <c>attestation_token.c</c> at tags rmm-spec-v1.0-rel0 and tf-rmm-v0.9.0
/// (realm claim order, the 907/263 collection, 44243); TF-A's <c>plat/arm/board/fvp/fvp_plat_attest_token.c</c>
/// (platform claim order, component names). No byte of those files is reproduced: values and keys are this test's own.
/// </summary>
public static class TfRmmFormatTokens
{
    public const string RealmProfile = "tag:arm.com,2023:realm#1.0.0";

    public static readonly string[] FvpComponents =
        ["RSE_BL1_2", "RSE_BL2", "RSE_S", "AP_BL1", "AP_BL2", "SCP_BL1", "SCP_BL2", "AP_BL31", "RMM", "HW_CONFIG", "FW_CONFIG", "TB_FW_CONFIG", "SOC_FW_CONFIG"];

    public static byte[] Rpv => [.. Enumerable.Range(0, 64).Select(i => (byte)(0x80 + i))];
    public static byte[] Rem(int i) => SHA256.HashData([(byte)i]);

    /// <summary>A P-384 (or P-256) key from a label, so test tokens are reproducible up to ECDSA's randomness.</summary>
    public static ECDsa Key(string label, bool p256 = false)
    {
        var d = SHA512.HashData(System.Text.Encoding.ASCII.GetBytes("tf-rmm-format/" + label))[..(p256 ? 32 : 48)];
        var key = ECDsa.Create();
        key.ImportParameters(new ECParameters { Curve = p256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384, D = d });
        return key;
    }

    public static byte[] RawPoint(ECDsa key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public static byte[] CoseKey(ECDsa key, int crv = 2)
    {
        var q = key.ExportParameters(false).Q;
        return new ClaimList { (1, 2), (-1, crv), (-2, q.X!), (-3, q.Y!) }.Encode(); // kty EC2, crv, x, y
    }

    public static byte[] RakClaim(TfRmmRelease release, ECDsa rak) => release == TfRmmRelease.V05 ? RawPoint(rak) : CoseKey(rak);

    public static ClaimList RealmClaims(TfRmmRelease release, byte[] challenge, byte[] rim, byte[] rakClaim)
    {
        object[] rems = [Rem(1), Rem(2), Rem(3), Rem(4)];
        if (release == TfRmmRelease.V05) // the FVP vector's order
            return [(10, challenge), (44236, "sha-256"), (44240, "sha-256"), (44235, Rpv), (44237, rakClaim), (44238, rim), (44239, rems)];
        var claims = new ClaimList { (10, challenge), (44235, Rpv), (44237, rakClaim), (44236, "sha-256"), (44240, "sha-256") };
        if (release == TfRmmRelease.V09) claims.Add((44243, "shared"));
        claims.AddRange([(265, RealmProfile), (44238, rim), (44239, rems)]);
        return claims;
    }

    public static ClaimList PlatformClaims(TfRmmRelease release, byte[] challenge)
    {
        if (release == TfRmmRelease.V05)
        {
            (string Type, string Version)[] legacy = [("BL", "3.4.2"), ("M1", "1.2"), ("M2", "1.2.3"), ("M3", "1")];
            var components = legacy.Select((c, i) =>
            {
                var m = new ClaimList { (1, c.Type), (5, SHA256.HashData("signer"u8)), (4, c.Version), (2, Hash(c.Type)) };
                if (i == 0) m.Add((6, "sha-256")); // the vector names the hash algorithm on the first component only
                return (object)m;
            }).ToArray();
            return [(265, "http://arm.com/CCA-SSD/1.0.0"), (10, challenge), (2396, Hash("implementation")), (256, Ueid()),
                (2401, (byte[])[0x01, .. Hash("config")]), (2395, 0x3003), (2402, "sha-256"), (2399, components), (2400, "verifier.example")];
        }
        var fvp = FvpComponents.Select(name => (object)new ClaimList { (1, name), (5, SHA256.HashData("signer"u8)), (2, Hash(name)), (6, "sha-256") }).ToArray();
        return [(265, "tag:arm.com,2023:cca_platform#1.0.0"), (10, challenge), (2396, Hash("implementation")), (256, Ueid()),
            (2401, (byte[])[0xcf, 0xcf, 0xcf, 0xcf]), (2395, 0x3003), (2402, "sha-256"), (2400, "https://verifier.example/verification"), (2399, fvp)];
    }

    /// <summary>A whole token in the release's form, the platform challenge bound to the RAK claim.</summary>
    public static byte[] Build(TfRmmRelease release, ECDsa cpak, ECDsa rak, byte[] challenge, byte[] rim)
    {
        var rakClaim = RakClaim(release, rak);
        return Assemble(release, PlatformClaims(release, SHA256.HashData(rakClaim)), cpak, RealmClaims(release, challenge, rim, rakClaim), rak);
    }

    public static byte[] Assemble(TfRmmRelease release, ClaimList platform, ECDsa cpak, ClaimList realm, ECDsa rak, HashAlgorithmName? platformHash = null) =>
        Collection(release, Sign(platform.Encode(), cpak, platformHash ?? HashAlgorithmName.SHA384), Sign(realm.Encode(), rak, HashAlgorithmName.SHA384));

    public static byte[] Sign(byte[] payload, ECDsa key, HashAlgorithmName hash) => CoseSign1Message.SignEmbedded(payload, new CoseSigner(key, hash));

    public static byte[] Collection(TfRmmRelease release, byte[] platform, byte[] realm)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteTag((CborTag)(release == TfRmmRelease.V09 ? 907 : 399));
        w.WriteStartMap(2);
        foreach (var (key, token) in new[] { (44234, platform), (44241, realm) })
        {
            w.WriteInt32(key);
            if (release != TfRmmRelease.V09) { w.WriteByteString(token); continue; }
            w.WriteStartArray(2);
            w.WriteInt32(263);
            w.WriteByteString(token);
            w.WriteEndArray();
        }
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] Hash(string s) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(s));
    private static byte[] Ueid() => [0x01, .. Hash("instance")]; // type RAND, 33 bytes
}
