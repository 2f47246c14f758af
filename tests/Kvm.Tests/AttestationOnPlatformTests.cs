using VirtCca.Launcher.Composition;
using System.Buffers.Binary;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Recs;

namespace VirtCca.Kvm.Tests;

/// <summary>
/// Attestation on the platform: a realm vCPU asks for a token with a challenge (RSI
/// ATTESTATION_TOKEN_INIT) and has it copied into its RAM (ATTESTATION_TOKEN_CONTINUE), each an RSI
/// call from its PE through the TMM; the bytes in realm memory are a CCA token that verifies against
/// the platform key and carries the challenge and the RIM of the realm KVM created.
/// </summary>
public sealed class AttestationOnPlatformTests
{
    [Theory]
    [InlineData(PlatformConfiguration.VirtccaSel2)]
    [InlineData(PlatformConfiguration.VirtccaEl3)]
    public void A_realm_gets_a_verifiable_token_with_its_challenge_and_rim(PlatformConfiguration config)
    {
        ulong[] challenge = [0x1111, 0x2222, 0x3333, 0x4444, 0x5555];
        const ulong buffer = 0x2000; // realm RAM (an image page)
        var m = Machines.Run(config,
            [new RsiCall(RsiFid.AttestationTokenInit, challenge), new RsiCall(RsiFid.AttestationTokenContinue, buffer, 0, 0x1000), new Compute(26)]);

        var tmm = m.Tmm();
        var rec = m.Rec(0);
        var log = tmm.Rmm.RecAt(rec)!.Program.Log;
        var init = log.Single(o => o.Step is GuestStep.Smc { Fid: RsiFid.AttestationTokenInit });
        var cont = log.Single(o => o.Step is GuestStep.Smc { Fid: RsiFid.AttestationTokenContinue });
        Assert.Equal((RsiFid.Success, RsiFid.Success), (init.X0, cont.X0));
        int length = (int)init.Registers[1];
        Assert.Equal((ulong)length, cont.Registers[1]); // all of it in one 4 KiB chunk

        // Read the buffer as the realm would (its vCPU is still entered: the program ended inside REC_ENTER).
        var token = new byte[(length + 7) / 8 * 8];
        for (int i = 0; i < token.Length / 8; i++)
        {
            var load = tmm.Rmm.RealmTrap(rec, new GuestStep.Load(buffer + (ulong)i * 8));
            Assert.False(load.Exited);
            BinaryPrimitives.WriteUInt64LittleEndian(token.AsSpan(8 * i), load.Registers[0]);
        }
        var v = CcaTokenVerifier.Verify(token[..length], tmm.Rmm.Platform.Cpak);
        Assert.True(v.Ok, v.Reason);
        var expected = new byte[64];
        for (int i = 0; i < challenge.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(expected.AsSpan(8 * i), challenge[i]);
        Assert.Equal(expected, (byte[])v.RealmClaims![CcaClaims.Challenge]);
        Assert.Equal(tmm.Rmm.Realms.Single().Measurement.Value(0), (byte[])v.RealmClaims[CcaClaims.RealmInitialMeasurement]);
        Assert.Equal(2, m.Pes[0].Stats.RsiCalls);
        Assert.Equal(0, m.Kvm(0).ExitsTotal); // attestation never leaves the secure world
    }
}
