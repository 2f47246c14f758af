using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Formats.Cbor;
using VirtCca.Tmm.Attestation;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Rtts;
using static VirtCca.Tmm.Recs.GuestStep;

namespace VirtCca.Tmm.Tests;

/// <summary>Checklist §8 items 51–61: what a Realm vCPU sees, driven through REC_ENTER with scripted guest programs.</summary>
public sealed class ConformanceRealmSideTests
{
    private static GuestOutcome Last(RecSetup t, int rec = 0) => t.Guest(rec).Log[^1];

    [Fact] // 51
    public void Item51_rsi_version_and_features()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.Version, 0x10000), new Smc(RsiFid.Features, 3));
        RecSetup.Ok(t.Enter());
        Assert.Equal(new ulong[] { 0, 0x10000, 0x10000 }, t.Guest().Log[0].Registers);
        Assert.Equal(new ulong[] { 0, 0 }, t.Guest().Log[1].Registers);
        Assert.Equal(RecExitReason.Irq, t.Exit().Reason); // the program ran out: the idle vCPU goes back to the host
    }

    [Fact] // 52, 53
    public void Item52_53_measurement_read_and_extend()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.MeasurementRead, 5), new Smc(RsiFid.MeasurementRead, 2),
            new Smc(RsiFid.MeasurementExtend, 0, 1, 7), new Smc(RsiFid.MeasurementExtend, 1, 65),
            new Smc(RsiFid.MeasurementExtend, 1, 3, 0x030201), new Smc(RsiFid.MeasurementRead, 1));
        RecSetup.Ok(t.Enter());
        var log = t.Guest().Log;
        Assert.Equal(RsiFid.ErrorInput, log[0].X0);
        Assert.All(log[1].Registers.Skip(1), v => Assert.Equal(0UL, v));
        Assert.Equal(RsiFid.ErrorInput, log[2].X0);
        Assert.Equal(RsiFid.ErrorInput, log[3].X0);
        Assert.Equal(RsiFid.Success, log[4].X0);
        var expected = SHA256.HashData([.. new byte[32], 1, 2, 3]);
        var got = new byte[32];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt64LittleEndian(got.AsSpan(8 * i), log[5].Registers[1 + i]);
        Assert.Equal(expected, got);
        Assert.Equal(0UL, log[5].Registers[5]); // SHA-256 fills X1..X4 only
    }

    [Fact] // 54
    public void Item54_realm_config_checks_and_contents()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.RealmConfig, 0x10), new Smc(RsiFid.RealmConfig, RecSetup.Ns), new Smc(RsiFid.RealmConfig, 0x3000), new Load(0x3000), new Load(0x3200));
        RecSetup.Ok(t.Enter());
        var log = t.Guest().Log;
        Assert.Equal(RsiFid.ErrorInput, log[0].X0);
        Assert.Equal(RsiFid.ErrorInput, log[1].X0);
        Assert.Equal(RsiFid.Success, log[2].X0);
        Assert.Equal(40UL, log[3].Registers[0]);                 // ipa_width = s2sz
        Assert.Equal(0xA7A6A5A4A3A2A1A0UL, log[4].Registers[0]); // first 8 bytes of the RPV
    }

    [Fact] // 55
    public void Item55_ripas_change_round_trip()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(RsiFid.IpaStateSet, 0, 0x1000, 2, 0), new Smc(RsiFid.IpaStateSet, 0x4000, 0x6000, 0, 0), new Smc(RsiFid.IpaStateGet, 0x4000, 0x10000));
        RecSetup.Ok(t.Enter());
        Assert.Equal(RsiFid.ErrorInput, t.Guest().Log[0].X0);
        var x = t.Exit();
        Assert.Equal((RecExitReason.RipasChange, 0x4000UL, 0x6000UL, 0UL), (x.Reason, x.RipasBase, x.RipasTop, x.RipasValue));
        Assert.Equal(RmiStatus.ErrorInput, t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x5000, 0x6000).Status); // base != ripas_addr
        var r = t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x4000, 0x6000);
        Assert.Equal((RmiStatus.Success, 0x6000UL), (r.Status, r.X1));
        Assert.Equal((ulong)Ripas.Empty, t.S.Call(RmiFid.RttReadEntry, t.Rd, 0x5000, 3).X4);
        RecSetup.Ok(t.Enter());
        var log = t.Guest().Log;
        Assert.Equal(new ulong[] { RsiFid.Success, 0x6000, 0 }, log[1].Registers); // X1 = new base, X2 = ACCEPT
        Assert.Equal(new ulong[] { RsiFid.Success, 0x6000, (ulong)Ripas.Empty }, log[2].Registers);
    }

    [Fact] // 56
    public void Item56_host_call_exits_with_imm_and_gprs_and_entry_gprs_are_written_back()
    {
        var t = new RecSetup();
        t.Program(0, new Store(0x2100, 0x42), new Store(0x2108, 0x1111), new Smc(RsiFid.HostCall, 0x2100), new Load(0x2108));
        RecSetup.Ok(t.Enter());
        var x = t.Exit();
        Assert.Equal((RecExitReason.HostCall, (ushort)0x42, 0x1111UL), (x.Reason, x.Imm, x.Gprs[0]));
        RecSetup.Ok(t.Enter(gpr0: 0x9999));
        Assert.Equal(0x9999UL, Last(t).Registers[0]); // the Realm reads the host's answer from its structure
    }

    [Fact] // 57
    public void Item57_hvc_is_undefined_inside_the_realm_and_unknown_smc_returns_minus_one()
    {
        var t = new RecSetup();
        t.Program(0, new Hvc(), new Smc(0xC2000000));
        RecSetup.Ok(t.Enter());
        Assert.Equal("undefined", t.Guest().Log[0].Kind);
        Assert.Equal(ulong.MaxValue, t.Guest().Log[1].X0);
        Assert.Equal(RecExitReason.Irq, t.Exit().Reason);
    }

    [Fact] // 58
    public void Item58_mmio_load_exits_emulatable_with_the_register_hidden_and_emul_mmio_completes_it()
    {
        var t = new RecSetup();
        t.Program(0, new Load(RecSetup.Ns + 0x1234, Size: 4, Rt: 5));
        RecSetup.Ok(t.Enter());
        var x = t.Exit();
        Assert.Equal(RecExitReason.Sync, x.Reason);
        Assert.Equal(0x24UL, x.Esr >> 26);
        Assert.NotEqual(0UL, x.Esr & Esr.Isv);
        Assert.Equal(0UL, (x.Esr >> 16) & 0x1F); // SRT hidden
        Assert.Equal(RecSetup.Ns + 0x1000, x.Far);
        Assert.Equal(((RecSetup.Ns + 0x1234) >> 8) & ~0xFUL, x.Hpfar);
        Assert.All(x.Gprs, g => Assert.Equal(0UL, g));
        RecSetup.Ok(t.Enter(flags: 1, gpr0: 0x1_2345_6789));
        Assert.Equal(("mmio-read", 0x2345_6789UL), (Last(t).Kind, Last(t).Registers[0])); // masked to 4 bytes
        Assert.Equal(0x2345_6789UL, t.S.Rmm.RecAt(t.Recs[0])!.Gprs[5]);
    }

    [Fact] // found by the adversarial host: EMUL_MMIO after the program was replaced used to throw from REC_ENTER
    public void Emul_mmio_completes_the_waiting_load_even_when_the_guest_program_was_replaced_meanwhile()
    {
        var t = new RecSetup();
        t.Program(0, new Load(RecSetup.Ns + 0x10, Rt: 3));
        RecSetup.Ok(t.Enter());
        Assert.Equal(RecExitReason.Sync, t.Exit().Reason);
        t.Program(0); // new code, nothing to run
        RecSetup.Ok(t.Enter(flags: 1, gpr0: 0x77));
        Assert.Equal(("mmio-read", 0x77UL), (Last(t).Kind, Last(t).Registers[0]));
        Assert.Equal(0x77UL, t.S.Rmm.RecAt(t.Recs[0])!.Gprs[3]);
        Assert.Equal(RecExitReason.Irq, t.Exit().Reason);

        t.Program(0, new Store(RecSetup.Ns + 0x20, 5));
        RecSetup.Ok(t.Enter());
        t.Program(0, new Load(0x3000), new Hvc()); // replaced again: INJECT_SEA ends the store, the new program runs whole
        RecSetup.Ok(t.Enter(flags: 2));
        Assert.Equal(new[] { "sea", "load", "undefined" }, t.Guest().Log.Select(o => o.Kind));
    }

    [Fact] // §5.4
    public void Memory_access_outcomes()
    {
        var t = new RecSetup();
        t.Program(0, new Store(0x3000, 0xAB), new Load(0x3000), new Load(0x20000), new Load(1UL << 40));
        RecSetup.Ok(t.Enter());
        var log = t.Guest().Log;
        Assert.Equal(0xABUL, log[1].Registers[0]);        // ASSIGNED + RAM: normal
        Assert.Equal("sea", log[2].Kind);                  // RIPAS EMPTY: SEA in the Realm, no exit
        Assert.Equal("sea", log[3].Kind);                  // beyond the IPA space
    }

    [Fact] // §5.4, §5.5
    public void Unbacked_protected_ram_exits_non_emulatable_and_the_access_runs_again_once_backed()
    {
        var t = new RecSetup();
        // The Realm asks for [64 KiB, 68 KiB) as RAM; the host accepts but backs nothing yet.
        t.Program(0, new Smc(RsiFid.IpaStateSet, 0x10000, 0x11000, 1, 0), new Load(0x10008));
        RecSetup.Ok(t.Enter());
        RecSetup.Ok(t.S.Call(RmiFid.RttSetRipas, t.Rd, t.Recs[0], 0x10000, 0x11000));
        RecSetup.Ok(t.Enter());
        var x = t.Exit();
        Assert.Equal(RecExitReason.Sync, x.Reason);
        Assert.Equal(0UL, x.Esr & Esr.Isv);   // not emulatable
        Assert.Equal(0UL, x.Far);
        Assert.Equal((0x10008UL >> 8) & ~0xFUL, x.Hpfar);
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(flags: 1).Status); // EMUL_MMIO is refused for it
        RecSetup.Ok(t.S.Call(RmiFid.DataCreateUnknown, t.Rd, t.S.Delegated(), 0x10000));
        RecSetup.Ok(t.Enter());
        Assert.Equal(("load", 0UL), (t.Guest().Log[^1].Kind, t.Guest().Log[^1].Registers[0]));
    }

    [Fact] // 59
    public void Item59_cpu_on_protocol()
    {
        var t = new RecSetup(recs: 2);
        t.Program(0, new Smc(Psci.CpuOn, 5, 0x1000, 0), new Smc(Psci.CpuOn, Mpidr.Of(1), 0x2000, 0x77));
        RecSetup.Ok(t.Enter());
        Assert.Equal(Psci.InvalidParams, t.Guest().Log[0].X0);
        var x = t.Exit();
        Assert.Equal((RecExitReason.Psci, Psci.CpuOn, Mpidr.Of(1)), (x.Reason, x.Gprs[0], x.Gprs[1]));
        Assert.Equal(RmiStatus.ErrorRec, t.Enter().Status);
        Assert.Equal(RmiStatus.ErrorRec, t.Enter(rec: 1).Status);
        Assert.Equal(RmiStatus.Success, t.S.Call(RmiFid.PsciComplete, t.Recs[0], t.Recs[1], Psci.Success).Status);
        var target = t.S.Rmm.RecAt(t.Recs[1])!;
        Assert.True(target.Runnable);
        Assert.Equal((0x2000UL, 0x77UL), (target.Pc, target.Gprs[0]));
        RecSetup.Ok(t.Enter(rec: 1));
        Assert.Equal(Psci.Success, t.S.Rmm.RecAt(t.Recs[0])!.Gprs[0]);
    }

    [Fact] // 60
    public void Item60_system_off_then_rec_enter_is_error_realm_index_1()
    {
        var t = new RecSetup();
        t.Program(0, new Smc(Psci.SystemOff));
        RecSetup.Ok(t.Enter());
        Assert.Equal((RecExitReason.Psci, Psci.SystemOff), (t.Exit().Reason, t.Exit().Gprs[0]));
        Assert.Equal(0x102UL, t.Enter().X0);
    }

    [Fact] // 61
    public void Item61_attestation_token_through_rsi()
    {
        var t = new RecSetup();
        var challenge = Enumerable.Range(0, 8).Select(i => 0x0101010101010101UL * (ulong)(i + 1)).ToArray();
        t.Program(0, new Smc(RsiFid.AttestationTokenContinue, 0x8000, 0, 0x1000), new Smc(RsiFid.AttestationTokenInit, challenge));
        RecSetup.Ok(t.Enter());
        Assert.Equal(RsiFid.ErrorState, t.Guest().Log[0].X0);
        int length = (int)t.Guest().Log[1].Registers[1];
        var token = new List<byte>();
        for (int round = 0; token.Count < length && round < 8; round++)
        {
            t.Guest().Add(new Smc(RsiFid.AttestationTokenContinue, 0x8000, 0, 0x1000));
            RecSetup.Ok(t.Enter());
            var cont = t.Guest().Log.Last(o => o.Step is Smc);
            int n = (int)cont.Registers[1];
            var chunk = ReadRealmPage(t, 0x8000, n);
            token.AddRange(chunk);
            if (cont.X0 == RsiFid.Success) break;
            Assert.Equal(RsiFid.Incomplete, cont.X0);
        }
        var bytes = token.ToArray();
        Assert.Equal(length, bytes.Length);
        var v = CcaTokenVerifier.Verify(bytes, t.S.Rmm.Platform.Cpak);
        Assert.True(v.Ok, v.Reason);
        var expectedChallenge = new byte[64];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(expectedChallenge.AsSpan(8 * i), challenge[i]);
        Assert.Equal(expectedChallenge, (byte[])v.RealmClaims![CcaClaims.Challenge]);
        Assert.Equal(t.S.Rmm.Realms.Single().PersonalizationValue, (byte[])v.RealmClaims[CcaClaims.RealmPersonalizationValue]);
        Assert.Equal(t.S.Rmm.Realms.Single().Measurement.Value(0), (byte[])v.RealmClaims[CcaClaims.RealmInitialMeasurement]);
        Assert.Equal((CborTag)399, new CborReader(bytes).ReadTag());
    }

    /// <summary>Reads Realm memory through the guest: one 8-byte load per word.</summary>
    private static byte[] ReadRealmPage(RecSetup t, ulong ipa, int n)
    {
        var steps = Enumerable.Range(0, (n + 7) / 8).Select(i => (GuestStep)new Load(ipa + (ulong)i * 8)).ToArray();
        int before = t.Guest().Log.Count;
        t.Guest().Add(steps);
        RecSetup.Ok(t.Enter());
        var bytes = new byte[steps.Length * 8];
        for (int i = 0; i < steps.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), t.Guest().Log[before + i].Registers[0]);
        return bytes[..n];
    }
}

/// <summary>§5.2 exits that come from hardware events, and what every exit reports of the vGIC.</summary>
public sealed class RecExitReasonTests
{
    [Fact]
    public void Wfi_exits_only_when_trapped_fiq_and_serror_exit_with_a_masked_syndrome()
    {
        var t = new RecSetup();
        t.Program(0, new GuestStep.Wfi(), new GuestStep.Wfi(), new GuestStep.Fiq(), new GuestStep.SError(0xBE00_0000_FFFF_FFFF));
        RecSetup.Ok(t.Enter(flags: 0));                      // untrapped WFI: the vCPU waits and goes on; the second WFI too; then FIQ
        Assert.Equal(RecExitReason.Fiq, t.Exit().Reason);
        Assert.Equal(new[] { "wfi", "wfi" }, t.Guest().Log.Select(o => o.Kind));
        RecSetup.Ok(t.Enter());
        var x = t.Exit();
        Assert.Equal(RecExitReason.SError, x.Reason);
        Assert.Equal(0xFFFF_FFFFUL & Esr.SErrorVisible, x.Esr);
        t.Guest().Add(new GuestStep.Wfi());
        RecSetup.Ok(t.Enter(flags: 4));                      // TRAP_WFI
        Assert.Equal((RecExitReason.Sync, 0x01UL), (t.Exit().Reason, t.Exit().Esr >> 26));
    }

    [Fact]
    public void The_exit_record_reports_the_vgic_state_without_en_and_all_unused_fields_are_zero()
    {
        var t = new RecSetup();
        t.Program(0, new GuestStep.Interrupt());
        ulong lr = 1UL << 62 | 27;
        RecSetup.Ok(t.Enter(hcr: 0b10, lr0: lr));
        var x = t.Exit();
        Assert.Equal(RecExitReason.Irq, x.Reason);
        Assert.Equal(0b10UL, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(x.Raw.AsSpan(0x300)));
        Assert.Equal(lr, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(x.Raw.AsSpan(0x308)));
        Assert.Equal((0UL, 0UL, 0UL), (x.Esr, x.Far, x.Hpfar));
        Assert.All(x.Gprs, g => Assert.Equal(0UL, g));
        Assert.All(x.Raw[0x388..0x800], b => Assert.Equal(0, b));
    }
}

/// <summary>§5.4 instruction-fetch rows.</summary>
public sealed class InstructionFetchTests
{
    [Fact]
    public void Fetches_run_from_realm_ram_abort_from_shared_or_empty_memory_and_exit_for_destroyed_ram()
    {
        var t = new RecSetup();
        RecSetup.Ok(t.S.Call(RmiFid.DataDestroy, t.Rd, 0x6000)); // RAM -> DESTROYED
        t.Program(0, new GuestStep.Fetch(0x1000), new GuestStep.Fetch(RecSetup.Ns), new GuestStep.Fetch(0x30000), new GuestStep.Fetch(0x6000));
        RecSetup.Ok(t.Enter());
        Assert.Equal(new[] { "fetch", "sea", "sea" }, t.Guest().Log.Select(o => o.Kind));
        var x = t.Exit();
        Assert.Equal((RecExitReason.Sync, 0x20UL, (0x6000UL >> 8) & ~0xFUL), (x.Reason, x.Esr >> 26, x.Hpfar));
        Assert.Equal(0UL, x.Far);
    }
}
