using System.Formats.Cbor;
using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>
/// An EC2 public key as a serialized COSE_Key (RFC 9052 §7, RFC 9053 §7.1.1), the form of the RAK
/// claim since RMM 1.0-rel0: <c>{1: 2 (kty EC2), -1: crv, -2: x, -3: y}</c>, keys in that order as
/// TF-RMM's t_cose encoder writes them. System.Security.Cryptography.Cose has no COSE_Key
/// serialization (its <c>CoseKey</c> only wraps a signing key), hence this small codec.
/// </summary>
public static class CoseKeyEc2
{
    private const int Kty = 1, Crv = -1, X = -2, Y = -3;
    private const int KtyEc2 = 2;

    public static byte[] Encode(ECParameters p)
    {
        int crv = CurveId(p.Curve) ?? throw new ArgumentException("only P-256, P-384 and P-521 keys have a COSE curve id", nameof(p));
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(4);
        w.WriteInt32(Kty); w.WriteInt32(KtyEc2);
        w.WriteInt32(Crv); w.WriteInt32(crv);
        w.WriteInt32(X); w.WriteByteString(p.Q.X!);
        w.WriteInt32(Y); w.WriteByteString(p.Q.Y!);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>The public key a COSE_Key names; null and the reason when it is not an EC2 key on a supported curve.</summary>
    public static ECDsa? Decode(byte[] encoded, out string reason)
    {
        int? kty = null, crv = null;
        byte[]? x = null, y = null;
        try
        {
            var r = new CborReader(encoded, CborConformanceMode.Lax);
            int n = r.ReadStartMap() ?? throw new FormatException("indefinite-length map");
            var seen = new HashSet<long>();
            for (int i = 0; i < n; i++)
            {
                long label = r.ReadInt64();
                if (!seen.Add(label)) throw new FormatException($"label {label} twice");
                switch (label)
                {
                    case Kty: kty = r.ReadInt32(); break;
                    case Crv: crv = r.ReadInt32(); break;
                    case X: x = r.ReadByteString(); break;
                    case Y when r.PeekState() == CborReaderState.ByteString: y = r.ReadByteString(); break;
                    case Y: throw new FormatException("compressed points (y as a bool) are not supported");
                    default: r.SkipValue(); break;
                }
            }
            r.ReadEndMap();
            if (r.BytesRemaining != 0) throw new FormatException("trailing bytes");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            reason = $"not a COSE_Key: {e.Message}";
            return null;
        }
        if (kty != KtyEc2) { reason = $"COSE_Key kty is {kty?.ToString() ?? "missing"}, not EC2 (2)"; return null; }
        var curve = crv switch { 1 => ECCurve.NamedCurves.nistP256, 2 => ECCurve.NamedCurves.nistP384, 3 => ECCurve.NamedCurves.nistP521, _ => (ECCurve?)null };
        if (curve is not { } c) { reason = $"COSE_Key curve {crv?.ToString() ?? "missing"} is not P-256 (1), P-384 (2) or P-521 (3)"; return null; }
        if (x == null || y == null) { reason = "COSE_Key lacks x (-2) or y (-3)"; return null; }
        try
        {
            reason = "";
            return ECDsa.Create(new ECParameters { Curve = c, Q = new ECPoint { X = x, Y = y } });
        }
        catch (CryptographicException e)
        {
            reason = $"COSE_Key point is not on its curve: {e.Message}";
            return null;
        }
    }

    /// <summary>The COSE curve id (RFC 9053 table 18) of a NIST curve; null for any other curve.</summary>
    public static int? CurveId(ECCurve curve) => curve.Oid?.Value switch
    {
        "1.2.840.10045.3.1.7" => 1,
        "1.3.132.0.34" => 2,
        "1.3.132.0.35" => 3,
        _ => null,
    };
}
