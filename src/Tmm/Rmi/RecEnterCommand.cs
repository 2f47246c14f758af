using System.Buffers.Binary;
using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    private const ulong HcrAllowed = 0b1111_1110 | 1UL << 14;

    // REC_ENTER runs millions of times in a platform run: its page images are reused, not reallocated.
    private readonly byte[] _entryImage = new byte[RecEntry.FieldsEnd];
    private readonly byte[] _exitImage = new byte[RecExit.Size];
    private readonly ulong[] _entryGprs = new ulong[31];

    /// <summary>RMI_REC_ENTER(rec, run_ptr): TF-RMM's check order, entry processing (§5.1), the Realm runs, the exit is written (§5.2).</summary>
    private SmcResult RecEnter(ulong rec, ulong runPtr)
    {
        var (status, r, trapWfi) = Enter(rec, runPtr);
        if (r == null) return status;
        return WriteExit(r, runPtr, RunRealm(r, trapWfi));
    }

    /// <summary>The checks and entry processing of REC_ENTER; the REC is null when the call is refused with the status.</summary>
    private (SmcResult Status, Rec? Rec, bool TrapWfi) Enter(ulong rec, ulong runPtr)
    {
        if (!_granules.Is(runPtr, GranuleState.Undelegated))
            return (Input($"run {Hex(runPtr)} is not an aligned normal-world granule"), null, false);
        var r = RecGranule(rec);
        if (r == null) return (Input($"rec {Hex(rec)} is not a REC granule"), null, false);
        // A REC entered on a simulated CPU is in use until its exit, as TF-RMM holds the REC's lock for the whole call.
        if (r.RunningWith != null) return (Fail(RmiStatus.ErrorRec, "the REC is running on a CPU"), null, false);
        var realm = r.Realm;
        if (realm.State == RealmState.New) return (Fail(RmiStatus.ErrorRealm, "the Realm is NEW (not activated)", 0), null, false);
        if (realm.State == RealmState.SystemOff) return (Fail(RmiStatus.ErrorRealm, "the Realm is SYSTEM_OFF", 1), null, false);
        if (!r.Runnable) return (Fail(RmiStatus.ErrorRec, "the REC is not runnable"), null, false);
        if (r.PsciPending != null) return (Fail(RmiStatus.ErrorRec, "the REC has a PSCI request waiting for RMI_PSCI_COMPLETE"), null, false);

        var run = _entryImage;
        ReadEntryImage(r, runPtr, run);
        var flags = (RecEntryFlags)BinaryPrimitives.ReadUInt64LittleEndian(run);
        var entryGprs = _entryGprs;
        for (int i = 0; i < entryGprs.Length; i++) entryGprs[i] = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GprsOffset + 8 * i));
        if (GicInvalid(run) is { } gic) return (Fail(RmiStatus.ErrorRec, gic), null, false);
        bool injectSea = flags.HasFlag(RecEntryFlags.InjectSea);
        if (injectSea && r.LastAbort is not { Unprotected: true })
            return (Fail(RmiStatus.ErrorRec, "INJECT_SEA, but the last exit was not a data abort at an unprotected IPA"), null, false);
        if (!injectSea && flags.HasFlag(RecEntryFlags.EmulMmio) && r.LastAbort is not { Emulatable: true })
            return (Fail(RmiStatus.ErrorRec, "EMUL_MMIO, but the last exit was not an emulatable data abort"), null, false);

        r.GicHcr = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GicHcrOffset));
        for (int i = 0; i < 16; i++) r.GicLrs[i] = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GicLrsOffset + 8 * i));
        CompletePrevious(r, flags, entryGprs);
        return (SmcResult.Success, r, flags.HasFlag(RecEntryFlags.TrapWfi));
    }

    /// <summary>
    /// REC_ENTER returns: the exit record goes into the run page, with the vGIC state (ICH_HCR.En is
    /// the RMM's, never reported set). If the host has meanwhile given the run granule away (another
    /// CPU delegated it while the Realm ran), the write would be refused as a granule protection
    /// fault: nothing is written and REC_ENTER answers RMI_ERROR_INPUT.
    /// </summary>
    private SmcResult WriteExit(Rec r, ulong runPtr, RecExit exit)
    {
        if (_granules.StateOf(runPtr) != GranuleState.Undelegated)
            return Input($"run {Hex(runPtr)} became {_granules.StateOf(runPtr)} during REC_ENTER; the exit record cannot be written");
        exit.GicHcr = r.GicHcr & ~1UL;
        r.GicLrs.CopyTo(exit.GicLrs, 0);
        exit.CntvCtl = r.CntvCtl;
        exit.CntvCval = r.CntvCval;
        WriteExitRecord(r, runPtr, exit);
        return SmcResult.Success;
    }

    private static string? GicInvalid(byte[] run)
    {
        ulong hcr = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GicHcrOffset));
        if ((hcr & ~HcrAllowed) != 0) return $"entry.gicv3_hcr {Hex(hcr)} sets bits other than UIE..VGrp1DIE and TDIR";
        for (int n = 0; n < 16; n++)
        {
            ulong lr = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GicLrsOffset + 8 * n));
            if (lr >> 62 == 0) continue; // State = Invalid
            if ((lr & 1UL << 61) != 0) return $"entry.gicv3_lrs[{n}] sets HW";
            if ((lr >> 32 & 0x1FF) != 0) return $"entry.gicv3_lrs[{n}] sets pINTID bits";
            ulong vintid = lr & 0xFFFF_FFFF;
            if (vintid is >= 1020 and < 8192 || vintid >= 1UL << 24) return $"entry.gicv3_lrs[{n}] vINTID {vintid} is not a valid interrupt";
            for (int m = 0; m < n; m++)
            {
                ulong other = BinaryPrimitives.ReadUInt64LittleEndian(run.AsSpan(RecEntry.GicLrsOffset + 8 * m));
                if (other >> 62 != 0 && (other & 0xFFFF_FFFF) == vintid) return $"entry.gicv3_lrs[{n}] repeats vINTID {vintid}";
            }
        }
        return null;
    }

    /// <summary>Entry processing (§5.1): finish what the last exit left pending.</summary>
    private void CompletePrevious(Rec r, RecEntryFlags flags, ulong[] entryGprs)
    {
        var program = r.Program;
        if (r.LastAbort is { } abort)
        {
            if (flags.HasFlag(RecEntryFlags.InjectSea)) { program.Retire(abort.Step); program.Record(abort.Step, "sea"); }
            else if (flags.HasFlag(RecEntryFlags.EmulMmio))
            {
                program.Retire(abort.Step);
                r.Pc += 4;
                if (abort.IsWrite) program.Record(abort.Step, "mmio-write");
                else
                {
                    ulong value = abort.Size == 8 ? entryGprs[0] : entryGprs[0] & ((1UL << (8 * abort.Size)) - 1);
                    if (abort.Rt != 31) r.Gprs[abort.Rt] = value;
                    program.Record(abort.Step, "mmio-read", value);
                }
            }
            // Otherwise the faulting access is simply executed again.
        }
        r.LastAbort = null;
        if (r.PendingRipas is { } ripas)
        {
            ulong response = flags.HasFlag(RecEntryFlags.RipasResponse) && ripas.Addr < ripas.Top ? 1UL : 0UL;
            r.PendingRipas = null;
            program.Record(new GuestStep.Smc(RsiFid.IpaStateSet), "rsi", RsiFid.Success, ripas.Addr, response);
        }
        if (r.PendingHostCall is { } hostCall)
        {
            Span<byte> gprs = stackalloc byte[31 * 8];
            for (int i = 0; i < 31; i++) BinaryPrimitives.WriteUInt64LittleEndian(gprs[(8 * i)..], entryGprs[i]);
            WriteRealm(r.Realm, hostCall + 8, gprs);
            r.PendingHostCall = null;
            program.Record(new GuestStep.Smc(RsiFid.HostCall), "rsi", [RsiFid.Success, .. entryGprs]);
        }
    }

    /// <summary>Runs the Realm's steps until one needs the host.</summary>
    private RecExit RunRealm(Rec r, bool trapWfi)
    {
        while (true)
        {
            if (!r.Program.HasNext) return new RecExit(RecExitReason.Irq); // an idle vCPU: the host's timer takes it back
            if (StepRealm(r, trapWfi) is { } exit) return exit;
        }
    }

    /// <summary>Runs the Realm's next step; the exit when it needs the host, else null.</summary>
    private RecExit? StepRealm(Rec r, bool trapWfi)
    {
        var program = r.Program;
        var step = program.Peek();
        switch (step)
        {
            case GuestStep.Hvc:
                program.Next();
                program.Record(step, "undefined");
                return null;
            case GuestStep.Interrupt:
                program.Next();
                return new RecExit(RecExitReason.Irq);
            case GuestStep.Fiq:
                program.Next();
                return new RecExit(RecExitReason.Fiq);
            case GuestStep.SError se:
                program.Next();
                return new RecExit(RecExitReason.SError) { Esr = se.Esr & Esr.SErrorVisible };
            case GuestStep.Wfi:
                program.Next();
                r.Pc += 4;
                program.Record(step, trapWfi ? "wfi-trapped" : "wfi");
                return trapWfi ? new RecExit(RecExitReason.Sync) { Esr = Esr.EcWfx | Esr.Il } : null;
            case GuestStep.SysRegWrite sr:
                program.Next();
                r.Pc += 4;
                program.Record(step, "sysreg-write");
                // The host emulates the write from the value alone: which register held it is the Realm's business.
                var sysreg = new RecExit(RecExitReason.Sync) { Esr = Esr.EcSysReg | Esr.Il | (sr.Iss & Esr.SysRegIssVisible) };
                sysreg.Gprs[0] = sr.Value;
                return sysreg;
            case GuestStep.Fetch fetch:
                return FetchFrom(r, fetch);
            case GuestStep.Load or GuestStep.Store:
                return Access(r, step);
            case GuestStep.Smc smc:
                program.Next();
                return RealmSmc(r, smc);
            default:
                throw new ArgumentException($"unknown guest step {step}");
        }
    }

    /// <summary>A Realm load or store (§5.4); an exit when the host must act.</summary>
    private RecExit? Access(Rec r, GuestStep step)
    {
        var (ipa, size, rt, isWrite, value) = step switch
        {
            GuestStep.Load l => (l.Ipa, l.Size, l.Rt, false, 0UL),
            GuestStep.Store s => (s.Ipa, s.Size, s.Rt, true, s.Value),
            _ => throw new ArgumentException("not a memory step", nameof(step)),
        };
        var program = r.Program;
        switch (Resolve(r.Realm, ipa, out var target))
        {
            case Recs.AccessOutcome.Normal:
                program.Next();
                var buf = new byte[8];
                if (isWrite) { BinaryPrimitives.WriteUInt64LittleEndian(buf, value); WriteTarget(target, buf.AsSpan(0, size)); program.Record(step, "store"); }
                else { ReadTarget(target, buf.AsSpan(0, size)); ulong v = BinaryPrimitives.ReadUInt64LittleEndian(buf); if (rt != 31) r.Gprs[rt] = v; program.Record(step, "load", v); }
                return null;
            case Recs.AccessOutcome.Sea:
                program.Next();
                program.Record(step, "sea");
                return null;
            case Recs.AccessOutcome.ExitEmulatable:
                r.LastAbort = new LastAbort(true, true, isWrite, rt, size, step);
                var exit = new RecExit(RecExitReason.Sync)
                {
                    // The register number (SRT) is the Realm's business: it stays hidden.
                    Esr = Esr.EcDataAbortLower | Esr.Il | Esr.Isv | Esr.Sas(size) | (size == 8 ? Esr.Sf : 0) | (isWrite ? Esr.WnR : 0) | Esr.DfscTranslationL3,
                    Far = ipa & ~0xFFFUL,
                    Hpfar = Esr.Hpfar(ipa),
                };
                if (isWrite) exit.Gprs[0] = value;
                return exit;
            default:
                r.LastAbort = new LastAbort(false, false, isWrite, rt, size, step);
                return new RecExit(RecExitReason.Sync) { Esr = Esr.EcDataAbortLower | Esr.DfscTranslationL3, Hpfar = Esr.Hpfar(ipa) };
        }
    }

    /// <summary>An instruction fetch (§5.4): unprotected or EMPTY memory aborts inside the Realm; unbacked RAM or DESTROYED exits.</summary>
    private RecExit? FetchFrom(Rec r, GuestStep.Fetch fetch)
    {
        var outcome = Resolve(r.Realm, fetch.Ipa, out var target);
        if (outcome == Recs.AccessOutcome.Normal && !target.Secure) outcome = Recs.AccessOutcome.Sea; // never execute from shared memory
        if (outcome == Recs.AccessOutcome.ExitEmulatable) outcome = Recs.AccessOutcome.Sea;
        switch (outcome)
        {
            case Recs.AccessOutcome.Normal: r.Program.Next(); r.Program.Record(fetch, "fetch"); return null;
            case Recs.AccessOutcome.Sea: r.Program.Next(); r.Program.Record(fetch, "sea"); return null;
            default:
                return new RecExit(RecExitReason.Sync) { Esr = Esr.EcInstructionAbortLower | Esr.DfscTranslationL3, Hpfar = Esr.Hpfar(fetch.Ipa) };
        }
    }

    private Func<ulong, ulong>? _secureOf;
    private Func<ulong, bool>? _hostOwns;

    // The delegates are made once: a realm on a CPU resolves addresses on most of its traps.
    private Recs.AccessOutcome Resolve(Realm realm, ulong ipa, out AccessTarget target) =>
        RealmMemoryResolver.Resolve(realm, ipa, _secureOf ??= _granules.SecureOf,
            _hostOwns ??= pa => _granules.InDram(pa) && _granules.StateOf(pa) == GranuleState.Undelegated, out target);

    private void ReadTarget(AccessTarget t, Span<byte> data) { if (t.Secure) _secure.Read(t.Address, data); else _dram.Read(t.Address, data); }
    private void WriteTarget(AccessTarget t, ReadOnlySpan<byte> data) { if (t.Secure) _secure.Write(t.Address, data); else _dram.Write(t.Address, data); }

    private bool WriteRealm(Realm realm, ulong ipa, Span<byte> data) => CopyRealm(realm, ipa, data, write: true);
    private bool ReadRealm(Realm realm, ulong ipa, Span<byte> data) => CopyRealm(realm, ipa, data, write: false);

    /// <summary>Reads or writes Realm memory page by page; false when some page is not normally accessible (the pages before it are done).</summary>
    private bool CopyRealm(Realm realm, ulong ipa, Span<byte> data, bool write)
    {
        while (!data.IsEmpty)
        {
            int n = (int)Math.Min((ulong)data.Length, 0x1000 - ipa % 0x1000);
            if (Resolve(realm, ipa, out var t) != Recs.AccessOutcome.Normal) return false;
            if (write) WriteTarget(t, data[..n]); else ReadTarget(t, data[..n]);
            data = data[n..]; ipa += (ulong)n;
        }
        return true;
    }
}
