using System.Formats.Cbor;
using System.Security.Cryptography;

namespace VirtCca.Tmm.Attestation;

/// <summary>COSE_Sign1 (RFC 9052) with ES384, the signature form of both CCA tokens.</summary>
public static class CoseSign1
{
    public static byte[] Sign(byte[] payload, ECDsa key)
    {
        var protectedHeader = ProtectedHeader();
        var signature = key.SignData(SigStructure(protectedHeader, payload), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteTag((CborTag)CcaClaims.CoseSign1Tag);
        w.WriteStartArray(4);
        w.WriteByteString(protectedHeader);
        w.WriteStartMap(0);
        w.WriteEndMap();
        w.WriteByteString(payload);
        w.WriteByteString(signature);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Decodes a COSE_Sign1; null and a reason when it is not a well-formed ES384 COSE_Sign1.</summary>
    public static (byte[] Protected, byte[] Payload, byte[] Signature)? Decode(byte[] bytes, out string reason)
    {
        try
        {
            var r = new CborReader(bytes, CborConformanceMode.Lax);
            if (r.ReadTag() != (CborTag)CcaClaims.CoseSign1Tag) { reason = "not tagged COSE_Sign1 (18)"; return null; }
            if (r.ReadStartArray() != 4) { reason = "COSE_Sign1 is not a 4-element array"; return null; }
            var prot = r.ReadByteString();
            r.SkipValue(); // unprotected header
            var payload = r.ReadByteString();
            var signature = r.ReadByteString();
            r.ReadEndArray();
            if (r.BytesRemaining != 0) { reason = "trailing bytes after COSE_Sign1"; return null; }
            var h = new CborReader(prot);
            int n = h.ReadStartMap() ?? -1;
            int? alg = null;
            for (int i = 0; i < n; i++)
            {
                if (h.ReadInt32() == 1) alg = h.ReadInt32(); else h.SkipValue();
            }
            if (alg != CcaClaims.CoseAlgorithmEs384) { reason = $"protected header alg is {alg?.ToString() ?? "missing"}, not ES384 (-35)"; return null; }
            reason = "";
            return (prot, payload, signature);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            reason = $"malformed COSE_Sign1: {e.Message}";
            return null;
        }
    }

    public static bool Verify(byte[] protectedHeader, byte[] payload, byte[] signature, ECDsa key) =>
        signature.Length == 96 &&
        key.VerifyData(SigStructure(protectedHeader, payload), signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    private static byte[] ProtectedHeader()
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartMap(1);
        w.WriteInt32(1);
        w.WriteInt32(CcaClaims.CoseAlgorithmEs384);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] SigStructure(byte[] protectedHeader, byte[] payload)
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        w.WriteStartArray(4);
        w.WriteTextString("Signature1");
        w.WriteByteString(protectedHeader);
        w.WriteByteString([]);
        w.WriteByteString(payload);
        w.WriteEndArray();
        return w.Encode();
    }
}
