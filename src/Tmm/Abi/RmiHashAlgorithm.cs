using System.Security.Cryptography;

namespace VirtCca.Tmm.Abi;

/// <summary>RmiRealmParams.hash_algo (RMM v1.0 §2.2): the Realm's measurement hash.</summary>
public enum RmiHashAlgorithm : byte
{
    Sha256 = 0,
    Sha512 = 1,
}

public static class RmiHashAlgorithms
{
    public static int Size(this RmiHashAlgorithm a) => a == RmiHashAlgorithm.Sha256 ? 32 : 64;

    /// <summary>The algorithm's name as the CCA token spells it (claim 44236).</summary>
    public static string TokenName(this RmiHashAlgorithm a) => a == RmiHashAlgorithm.Sha256 ? "sha-256" : "sha-512";

    public static byte[] Hash(this RmiHashAlgorithm a, ReadOnlySpan<byte> data) =>
        a == RmiHashAlgorithm.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data);
}
