using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

/// <summary>
/// A token a Realm obtained: RSI_ATTESTATION_TOKEN_INIT built it and CONTINUE copied its last byte
/// into the Realm's buffer. The reference values are the model's, not read back from the token: the
/// challenge the Realm passed in X1..X8 and the RIM its measurement held at INIT.
/// </summary>
public sealed record ObtainedToken(ulong Rd, ushort Vmid, ulong Rec, int RecIndex, byte[] Token, byte[] Rim, byte[] Challenge);

public sealed partial class Rmm
{
    // By REC: a second INIT replaces the session the REC had, as it replaces r.Attestation.
    private readonly Dictionary<ulong, (AttestationSession Session, byte[] Token, byte[] Rim, byte[] Challenge)> _sessions = new();
    private readonly List<ObtainedToken> _obtained = new();

    /// <summary>Every token a Realm has obtained in full, in the order they were completed.</summary>
    public IReadOnlyList<ObtainedToken> TokensObtained => _obtained;

    /// <summary>INIT: what a verifier should later expect of this session's token.</summary>
    private void TokenIssued(Rec r, AttestationSession session, byte[] token, byte[] challenge) =>
        _sessions[r.Pa] = (session, token, r.Realm.Measurement.Value(0), challenge);

    /// <summary>CONTINUE copied the last byte: the Realm holds the whole token.</summary>
    private void TokenDelivered(Rec r, AttestationSession session)
    {
        if (!_sessions.Remove(r.Pa, out var issued) || !ReferenceEquals(issued.Session, session)) return;
        _obtained.Add(new ObtainedToken(r.Realm.Rd, r.Realm.Vmid, r.Pa, r.Index, issued.Token, issued.Rim, issued.Challenge));
    }
}
