using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>The platform's public key as PEM (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"), the form verifiers take.</summary>
public static class PlatformKeyPem
{
    public static string Write(ECDsa key) => key.ExportSubjectPublicKeyInfoPem() + "\n";

    /// <summary>The EC key in a PEM text (public key, or a private key whose public half is used); null and the reason otherwise.</summary>
    public static ECDsa? Read(string pem, out string reason)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            reason = "";
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            reason = pem.Contains("-----BEGIN", StringComparison.Ordinal)
                ? $"no EC key in the PEM ({e.Message.TrimEnd('.')})"
                : "not PEM: no -----BEGIN line";
            return null;
        }
    }
}
