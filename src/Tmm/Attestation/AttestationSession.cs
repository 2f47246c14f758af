namespace VirtCca.Tmm.Attestation;

/// <summary>
/// One token handed out in pieces: RSI_ATTESTATION_TOKEN_INIT creates the session, every
/// ATTESTATION_TOKEN_CONTINUE copies the next part into the Realm's buffer until none remains.
/// </summary>
public sealed class AttestationSession(byte[] token)
{
    private int _offset;

    public int Length => token.Length;
    public int Remaining => token.Length - _offset;
    public bool Done => Remaining == 0;

    /// <summary>Copies up to <c>destination.Length</c> bytes of what remains; returns how many.</summary>
    public int CopyNext(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, Remaining);
        token.AsSpan(_offset, n).CopyTo(destination);
        _offset += n;
        return n;
    }
}
