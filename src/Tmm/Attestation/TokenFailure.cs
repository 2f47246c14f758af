namespace VirtCca.Tmm.Attestation;

/// <summary>Why a CCA token was refused; each comes with a sentence naming the part and the value.</summary>
public enum TokenFailure
{
    None,
    /// <summary>Not well-formed CBOR, trailing bytes, indefinite lengths or duplicate keys.</summary>
    Malformed,
    /// <summary>The outer item is not tag 399 (EAT collection) or 907 (CMW collection).</summary>
    NotACcaToken,
    /// <summary>The collection lacks the platform (44234) or realm (44241) token, or holds it in the wrong form.</summary>
    MissingToken,
    /// <summary>A token is not a COSE_Sign1 with an embedded payload and an integer algorithm in its protected header.</summary>
    BadCoseSign1,
    /// <summary>The realm token is not ES384, or the platform token's algorithm does not match the platform key's curve.</summary>
    UnsupportedAlgorithm,
    /// <summary>A realm claim is missing, of the wrong type or size, or the profile is unknown.</summary>
    BadRealmClaims,
    /// <summary>A platform claim is missing, of the wrong type or size, or the profile is unknown.</summary>
    BadPlatformClaims,
    /// <summary>The RAK claim (44237) is not a P-384 public key in the form its profile requires.</summary>
    BadRak,
    /// <summary>The realm token's signature does not verify with the RAK it carries.</summary>
    RealmSignature,
    /// <summary>The platform token's signature does not verify with the given platform key.</summary>
    PlatformSignature,
    /// <summary>The platform challenge is not the hash of the RAK: the two tokens are not bound.</summary>
    NotBound,
    /// <summary>The realm's initial measurement differs from the expected one.</summary>
    RimMismatch,
    /// <summary>The realm challenge differs from the expected one.</summary>
    ChallengeMismatch,
}

/// <summary>A refusal found while decoding; <see cref="CcaTokenDecoder"/> turns it into a failed result.</summary>
internal sealed class TokenFormatException(TokenFailure failure, string message) : Exception(message)
{
    public TokenFailure Failure { get; } = failure;
}
