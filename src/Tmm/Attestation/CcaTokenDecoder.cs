using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace VirtCca.Tmm.Attestation;

/// <summary>Which of the draft's two top-level forms a token uses.</summary>
public enum CcaCollectionForm
{
    /// <summary>Tag 399 around <c>{44234: bstr, 44241: bstr}</c>: RMM 1.0, TF-RMM up to v0.8 (and v0.9 with DOWNREV_CCA_TOKEN_TOP_FORMAT).</summary>
    EatCollection,
    /// <summary>Tag 907 around <c>{44234: [263, bstr], 44241: [263, bstr]}</c>: RMM 1.1's CMW collection, TF-RMM v0.9's default.</summary>
    CmwCollection,
}

/// <summary>A CCA token's claims, typed, with the form and the COSE algorithm of each token.</summary>
public sealed record CcaToken(CcaCollectionForm Form, PlatformTokenClaims Platform, RealmTokenClaims Realm, int PlatformAlgorithm, int RealmAlgorithm);

/// <summary>A token taken apart: its claims and the two COSE_Sign1 messages, signatures not yet checked.</summary>
internal sealed record DecodedToken(CcaToken Token, CoseSign1Message Platform, CoseSign1Message Realm);

/// <summary>
/// Takes a CCA token apart: the collection (either form), each COSE_Sign1 through
/// System.Security.Cryptography.Cose, and each claims set into its typed record. Checks no signature.
/// </summary>
internal static class CcaTokenDecoder
{
    public static DecodedToken Decode(byte[] token)
    {
        var (form, platformBytes, realmBytes) = ReadCollection(token);
        var realm = ReadSign1(realmBytes, "realm token");
        var platform = ReadSign1(platformBytes, "platform token");
        var realmClaims = RealmTokenClaims.Parse(ReadClaims(realm.Message, "realm token"));
        var platformClaims = PlatformTokenClaims.Parse(ReadClaims(platform.Message, "platform token"));
        return new DecodedToken(new CcaToken(form, platformClaims, realmClaims, platform.Algorithm, realm.Algorithm), platform.Message, realm.Message);
    }

    private static (CcaCollectionForm, byte[] Platform, byte[] Realm) ReadCollection(byte[] token)
    {
        try
        {
            var r = new CborReader(token, CborConformanceMode.Lax);
            if (r.PeekState() != CborReaderState.Tag) throw new TokenFormatException(TokenFailure.NotACcaToken, "not a CCA token: no tag 399 or 907 at the start");
            var tag = (ulong)r.ReadTag();
            var form = tag switch
            {
                CcaClaims.TokenTag => CcaCollectionForm.EatCollection,
                CcaClaims.CmwTokenTag => CcaCollectionForm.CmwCollection,
                _ => throw new TokenFormatException(TokenFailure.NotACcaToken, $"not a CCA token: tag {tag}, not 399 or 907"),
            };
            int n = r.ReadStartMap() ?? throw new FormatException("indefinite-length collection map");
            byte[]? platform = null, realm = null;
            for (int i = 0; i < n; i++)
            {
                long key = r.ReadInt64();
                switch (key)
                {
                    case CcaClaims.PlatformToken when platform == null: platform = ReadEntry(r, form, "platform token (44234)"); break;
                    case CcaClaims.RealmDelegatedToken when realm == null: realm = ReadEntry(r, form, "realm token (44241)"); break;
                    case CcaClaims.PlatformToken or CcaClaims.RealmDelegatedToken: throw new FormatException($"key {key} twice in the collection");
                    default: r.SkipValue(); break;
                }
            }
            r.ReadEndMap();
            if (r.BytesRemaining != 0) throw new FormatException($"{r.BytesRemaining} trailing bytes after the token");
            if (platform == null) throw new TokenFormatException(TokenFailure.MissingToken, "no platform token (44234) in the collection");
            if (realm == null) throw new TokenFormatException(TokenFailure.MissingToken, "no realm token (44241) in the collection");
            return (form, platform, realm);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new TokenFormatException(TokenFailure.Malformed, $"malformed token: {e.Message}");
        }
    }

    private static byte[] ReadEntry(CborReader r, CcaCollectionForm form, string name)
    {
        if (form == CcaCollectionForm.EatCollection)
            return r.PeekState() == CborReaderState.ByteString ? r.ReadByteString()
                : throw new TokenFormatException(TokenFailure.MissingToken, $"{name} is not a byte string, as tag 399 requires");
        if (r.PeekState() != CborReaderState.StartArray || r.ReadStartArray() != 2)
            throw new TokenFormatException(TokenFailure.MissingToken, $"{name} is not a [content-format, bytes] pair, as tag 907 requires");
        long format = r.ReadInt64();
        if (format != CcaClaims.CmwContentFormat)
            throw new TokenFormatException(TokenFailure.MissingToken, $"{name} has content format {format}, not {CcaClaims.CmwContentFormat}");
        var bytes = r.ReadByteString();
        r.ReadEndArray();
        return bytes;
    }

    private static (CoseSign1Message Message, int Algorithm) ReadSign1(byte[] bytes, string name)
    {
        CoseSign1Message m;
        try { m = CoseMessage.DecodeSign1(bytes); }
        catch (CryptographicException e) { throw new TokenFormatException(TokenFailure.BadCoseSign1, $"{name} is not a COSE_Sign1: {e.Message}"); }
        if (m.Content == null) throw new TokenFormatException(TokenFailure.BadCoseSign1, $"{name} has a detached payload");
        if (!m.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
            throw new TokenFormatException(TokenFailure.BadCoseSign1, $"{name} has no algorithm in its protected header");
        try { return (m, alg.GetValueAsInt32()); }
        catch (Exception e) when (e is InvalidOperationException or CborContentException or OverflowException)
        {
            throw new TokenFormatException(TokenFailure.BadCoseSign1, $"{name}'s algorithm is not an integer");
        }
    }

    private static Dictionary<int, object> ReadClaims(CoseSign1Message m, string name)
    {
        try { return CborClaimMap.Read(m.Content!.Value); }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new TokenFormatException(TokenFailure.Malformed, $"{name} claims are malformed: {e.Message}");
        }
    }
}
