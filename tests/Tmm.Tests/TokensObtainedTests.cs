using VirtCca.Tmm.Attestation;
using static VirtCca.Tmm.Recs.GuestStep;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// What the TMM records of the tokens a Realm obtained (for export after a run): only a token whose
/// last byte CONTINUE copied out, with the challenge the Realm passed and the RIM at INIT — the
/// model's values, which the token's own claims must match.
/// </summary>
public sealed class TokensObtainedTests
{
    [Fact]
    public void A_token_is_obtained_when_continue_copies_its_last_byte_and_carries_the_models_reference_values()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.AttestationTokenInit, 7, 8), new Smc(RsiFid.AttestationTokenContinue, 0x8000, 0, 0x200));
        RecSetup.Ok(t.Enter());
        Assert.Empty(t.S.Rmm.TokensObtained); // 512 bytes of a longer token: not obtained yet
        t.Guest().Add(new Smc(RsiFid.AttestationTokenContinue, 0x9000, 0, 0x1000));
        RecSetup.Ok(t.Enter());
        var got = Assert.Single(t.S.Rmm.TokensObtained);
        var realm = t.S.Rmm.Realms.Single();
        Assert.Equal((t.Rd, realm.Vmid, t.Recs[0], 0), (got.Rd, got.Vmid, got.Rec, got.RecIndex));
        Assert.Equal(realm.Measurement.Value(0), got.Rim);
        var challenge = new byte[64];
        challenge[0] = 7; challenge[8] = 8;
        Assert.Equal(challenge, got.Challenge);
        var v = CcaTokenVerifier.Verify(got.Token, t.S.Rmm.Platform.Cpak, new TokenExpectations(got.Rim, got.Challenge));
        Assert.True(v.Ok, v.Reason);
    }

    [Fact]
    public void A_session_replaced_by_a_second_init_is_never_obtained()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.AttestationTokenInit, 1), new Smc(RsiFid.AttestationTokenInit, 2), new Smc(RsiFid.AttestationTokenContinue, 0x8000, 0, 0x1000));
        RecSetup.Ok(t.Enter());
        var got = Assert.Single(t.S.Rmm.TokensObtained);
        Assert.Equal(2, got.Challenge[0]);
    }
}
