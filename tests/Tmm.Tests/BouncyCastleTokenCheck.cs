using System.Formats.Cbor;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// A second verifier for CCA tokens that shares no code with ours: PEM parsing, curve arithmetic
/// and ECDSA are BouncyCastle's; the collection, COSE_Sign1 and Sig_structure (RFC 9052 §4.4) are
/// taken apart and rebuilt here with a plain CBOR reader. Covers tag 399 tokens with ES384 on
/// both tokens and a COSE_Key or raw-point RAK — what the TMM hands out.
/// </summary>
public static class BouncyCastleTokenCheck
{
    /// <summary>Null when the token verifies; otherwise what failed.</summary>
    public static string? Verify(byte[] token, string platformKeyPem)
    {
        var cpak = (ECPublicKeyParameters)new PemReader(new StringReader(platformKeyPem)).ReadObject();
        var r = new CborReader(token, CborConformanceMode.Lax);
        if ((ulong)r.ReadTag() != 399) return "not tag 399";
        var parts = new Dictionary<long, byte[]>();
        int n = r.ReadStartMap()!.Value;
        for (int i = 0; i < n; i++) parts[r.ReadInt64()] = r.ReadByteString();
        var (platformPayload, platformOk) = CheckSign1(parts[44234], cpak);
        var (realmPayload, realmSigned) = ReadSign1(parts[44241]);

        var realm = Claims(realmPayload);
        var rakClaim = (byte[])realm[44237];
        var rak = realm.ContainsKey(265) ? FromCoseKey(rakClaim) : FromRawPoint(rakClaim);
        if (!EcdsaP384(rak, realmSigned.SigStructure, realmSigned.Signature)) return "realm signature";
        if (!platformOk) return "platform signature";
        var platform = Claims(platformPayload);
        return ((byte[])platform[10]).AsSpan().SequenceEqual(SHA256.HashData(rakClaim)) ? null : "binding";
    }

    private static (byte[] Payload, bool Ok) CheckSign1(byte[] sign1, ECPublicKeyParameters key)
    {
        var (payload, signed) = ReadSign1(sign1);
        return (payload, EcdsaP384(key, signed.SigStructure, signed.Signature));
    }

    private static (byte[] Payload, (byte[] SigStructure, byte[] Signature)) ReadSign1(byte[] sign1)
    {
        var r = new CborReader(sign1);
        if ((ulong)r.ReadTag() != 18) throw new FormatException("not tag 18");
        r.ReadStartArray();
        var protectedHeader = r.ReadByteString();
        r.SkipValue();
        var payload = r.ReadByteString();
        var signature = r.ReadByteString();
        if (!protectedHeader.AsSpan().SequenceEqual((byte[])[0xA1, 0x01, 0x38, 0x22])) throw new FormatException("protected header is not {1: -35}");
        var w = new CborWriter();
        w.WriteStartArray(4);
        w.WriteTextString("Signature1");
        w.WriteByteString(protectedHeader);
        w.WriteByteString([]); // external_aad
        w.WriteByteString(payload);
        w.WriteEndArray();
        return (payload, (w.Encode(), signature));
    }

    private static bool EcdsaP384(ECPublicKeyParameters key, byte[] message, byte[] signature)
    {
        var digest = new Sha384Digest();
        digest.BlockUpdate(message, 0, message.Length);
        var hash = new byte[48];
        digest.DoFinal(hash, 0);
        var signer = new ECDsaSigner();
        signer.Init(false, key);
        return signature.Length == 96 && signer.VerifySignature(hash, new BigInteger(1, signature[..48]), new BigInteger(1, signature[48..]));
    }

    private static Dictionary<long, object> Claims(byte[] payload)
    {
        var r = new CborReader(payload, CborConformanceMode.Lax);
        var claims = new Dictionary<long, object>();
        int n = r.ReadStartMap()!.Value;
        for (int i = 0; i < n; i++)
        {
            long key = r.ReadInt64();
            claims[key] = r.PeekState() == CborReaderState.ByteString ? r.ReadByteString() : r.ReadEncodedValue().ToArray();
        }
        return claims;
    }

    private static ECPublicKeyParameters FromCoseKey(byte[] coseKey)
    {
        var r = new CborReader(coseKey);
        byte[]? x = null, y = null;
        int n = r.ReadStartMap()!.Value;
        for (int i = 0; i < n; i++)
        {
            switch (r.ReadInt32())
            {
                case 1: if (r.ReadInt32() != 2) throw new FormatException("kty is not EC2"); break;
                case -1: if (r.ReadInt32() != 2) throw new FormatException("crv is not P-384"); break;
                case -2: x = r.ReadByteString(); break;
                case -3: y = r.ReadByteString(); break;
                default: r.SkipValue(); break;
            }
        }
        return Point(x!, y!);
    }

    private static ECPublicKeyParameters FromRawPoint(byte[] raw) => Point(raw[1..49], raw[49..97]);

    private static ECPublicKeyParameters Point(byte[] x, byte[] y)
    {
        var curve = ECNamedCurveTable.GetByName("P-384");
        var q = curve.Curve.CreatePoint(new BigInteger(1, x), new BigInteger(1, y));
        if (!q.IsValid()) throw new FormatException("the RAK is not on P-384");
        return new ECPublicKeyParameters(q, new ECDomainParameters(curve));
    }
}
