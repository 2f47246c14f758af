using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>
/// The platform's attestation keys: the CPAK that signs platform tokens and the per-boot Realm
/// Attestation Key (RAK) that signs realm tokens, both ECDSA P-384. <see cref="FromSeed"/> derives
/// them from the run's seed, so a run's keys are reproducible; the signatures are still randomised
/// by ECDSA, so token bytes differ between runs while every claim is the same.
/// </summary>
public sealed class PlatformIdentity(ECDsa cpak, ECDsa rak) : IDisposable
{
    public ECDsa Cpak { get; } = cpak;
    public ECDsa Rak { get; } = rak;

    /// <summary>The RAK public key as an uncompressed EC point (0x04 ‖ X ‖ Y, 97 bytes), claim 44237's form before RMM 1.0-rel0.</summary>
    public byte[] RakPublicPoint => EcPoint.Encode(Rak.ExportParameters(false));

    /// <summary>The RAK public key as a serialized COSE_Key, claim 44237's form under the realm profile.</summary>
    public byte[] RakCoseKey => CoseKeyEc2.Encode(Rak.ExportParameters(false));

    public static PlatformIdentity Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP384), ECDsa.Create(ECCurve.NamedCurves.nistP384));

    public static PlatformIdentity FromSeed(ulong seed) => new(Derive(seed, "cpak"), Derive(seed, "rak"));

    private static ECDsa Derive(ulong seed, string label)
    {
        // A P-384 private scalar from the seed; SHA-384 output is below the group order except with
        // negligible probability, and a retry counter covers that case.
        for (uint attempt = 0; ; attempt++)
        {
            var d = SHA384.HashData(System.Text.Encoding.ASCII.GetBytes($"virtcca/{label}/{seed}/{attempt}"));
            try
            {
                var key = ECDsa.Create();
                key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, D = d });
                return key;
            }
            catch (CryptographicException) when (attempt < 8) { }
        }
    }

    public void Dispose()
    {
        Cpak.Dispose();
        Rak.Dispose();
    }
}

/// <summary>Uncompressed SEC1 encoding of P-384 points.</summary>
public static class EcPoint
{
    public static byte[] Encode(ECParameters p)
    {
        var point = new byte[1 + p.Q.X!.Length + p.Q.Y!.Length];
        point[0] = 0x04;
        p.Q.X.CopyTo(point, 1);
        p.Q.Y.CopyTo(point, 1 + p.Q.X.Length);
        return point;
    }

    public static ECDsa? Decode(byte[] point)
    {
        if (point.Length != 97 || point[0] != 0x04) return null;
        try
        {
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP384,
                Q = new ECPoint { X = point[1..49], Y = point[49..97] },
            });
        }
        catch (CryptographicException) { return null; }
    }
}
