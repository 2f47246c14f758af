using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>
/// TMI's run page, struct tmi_tec_run of the openEuler kernel's kvm_tmi.h: one page KVM allocates per
/// vCPU, the entry half first and the exit half right after it, every field a 64-bit word with no gaps.
/// entry = { flags, gprs[31], gicv3_lrs[16], gicv3_hcr }; exit = { exit_reason, esr, far, hpfar,
/// gprs[31], gicv3_hcr, gicv3_lrs[16], gicv3_misr, gicv3_vmcr, cntv_ctl, cntv_cval, cntp_ctl,
/// cntp_cval, imm, pmu_ovf_status }. The same information as RMI's run page, laid out differently;
/// the entry flags and exit reasons share RMI's encodings (TMI has no RIPAS_CHANGE reason).
/// </summary>
public static class TecRun
{
    public const int EntryGprs = 8, EntryLrs = EntryGprs + 31 * 8, EntryHcr = EntryLrs + 16 * 8, EntrySize = EntryHcr + 8;
    public const int ExitOffset = EntrySize;
    private const int Reason = 0, Esr = 8, Far = 16, Hpfar = 24, Gprs = 32, Hcr = Gprs + 31 * 8, Lrs = Hcr + 8, Misr = Lrs + 16 * 8,
        Vmcr = Misr + 8, CntvCtl = Vmcr + 8, CntvCval = CntvCtl + 8, CntpCtl = CntvCval + 8, CntpCval = CntpCtl + 8, Imm = CntpCval + 8, PmuOvf = Imm + 8;
    public const int ExitSize = PmuOvf + 8;

    /// <summary>The entry half as KVM writes it (<see cref="EntrySize"/> bytes).</summary>
    public static void WriteEntry(Span<byte> x, RecEntry e)
    {
        W(x, 0, (ulong)e.Flags);
        for (int i = 0; i < 31; i++) W(x, EntryGprs + 8 * i, e.Gprs[i]);
        for (int i = 0; i < 16; i++) W(x, EntryLrs + 8 * i, e.GicLrs[i]);
        W(x, EntryHcr, e.GicHcr);
    }

    public static void ReadEntry(ReadOnlySpan<byte> x, RecEntry e)
    {
        e.Flags = (RecEntryFlags)R(x, 0);
        for (int i = 0; i < 31; i++) e.Gprs[i] = R(x, EntryGprs + 8 * i);
        for (int i = 0; i < 16; i++) e.GicLrs[i] = R(x, EntryLrs + 8 * i);
        e.GicHcr = R(x, EntryHcr);
    }

    /// <summary>The exit half as the TMM writes it (<see cref="ExitSize"/> bytes).</summary>
    public static void WriteExit(Span<byte> x, RecExit r)
    {
        if (r.Reason == RecExitReason.RipasChange) throw new ArgumentException("TMI has no RIPAS_CHANGE exit", nameof(r));
        x[..ExitSize].Clear();
        W(x, Reason, (ulong)r.Reason); W(x, Esr, r.Esr); W(x, Far, r.Far); W(x, Hpfar, r.Hpfar);
        for (int i = 0; i < 31; i++) W(x, Gprs + 8 * i, r.Gprs[i]);
        W(x, Hcr, r.GicHcr);
        for (int i = 0; i < 16; i++) W(x, Lrs + 8 * i, r.GicLrs[i]);
        W(x, Misr, r.GicMisr); W(x, Vmcr, r.GicVmcr);
        W(x, CntvCtl, r.CntvCtl); W(x, CntvCval, r.CntvCval); W(x, CntpCtl, r.CntpCtl); W(x, CntpCval, r.CntpCval);
        W(x, Imm, r.Imm); W(x, PmuOvf, r.PmuOvfStatus);
    }

    public static RecExit ReadExit(ReadOnlySpan<byte> x)
    {
        var r = new RecExit((RecExitReason)R(x, Reason))
        {
            Esr = R(x, Esr), Far = R(x, Far), Hpfar = R(x, Hpfar), GicHcr = R(x, Hcr), GicMisr = R(x, Misr), GicVmcr = R(x, Vmcr),
            CntvCtl = R(x, CntvCtl), CntvCval = R(x, CntvCval), CntpCtl = R(x, CntpCtl), CntpCval = R(x, CntpCval),
            Imm = (ushort)R(x, Imm), PmuOvfStatus = (byte)R(x, PmuOvf),
        };
        for (int i = 0; i < 31; i++) r.Gprs[i] = R(x, Gprs + 8 * i);
        for (int i = 0; i < 16; i++) r.GicLrs[i] = R(x, Lrs + 8 * i);
        return r;
    }

    private static void W(Span<byte> x, int offset, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(x[offset..], v);
    private static ulong R(ReadOnlySpan<byte> x, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(x[offset..]);
}

/// <summary>struct tmi_cvm_params (virtcca_cvm_host.h): what KVM writes before CVM_CREATE, every field a 64-bit word, then rpv[64].</summary>
public sealed record TmiCvmParams(ulong Flags, ulong S2sz, ulong SveVl, ulong NumBps, ulong NumWps, ulong PmuNumCnts, ulong MeasurementAlgo,
    ulong Vmid, ulong NsVtcr, ulong VttbrEl2, long TttLevelStart, ulong TttNumStart, byte[] Rpv)
{
    private const int LevelStart = 88, NumStart = 96, RpvOffset = 104;

    public static TmiCvmParams Parse(ReadOnlySpan<byte> g)
    {
        var u = new ulong[13];
        for (int i = 0; i < u.Length; i++) u[i] = BinaryPrimitives.ReadUInt64LittleEndian(g[(8 * i)..]);
        return new(u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], (long)u[LevelStart / 8], u[NumStart / 8], g.Slice(RpvOffset, 64).ToArray());
    }

    public byte[] ToGranule()
    {
        var g = new byte[0x1000];
        ulong[] words = [Flags, S2sz, SveVl, NumBps, NumWps, PmuNumCnts, MeasurementAlgo, Vmid, NsVtcr, VttbrEl2, 0 /* ttt_base: the TMM's */];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(8 * i), words[i]);
        BinaryPrimitives.WriteInt64LittleEndian(g.AsSpan(LevelStart), TttLevelStart);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(NumStart), TttNumStart);
        Rpv.CopyTo(g, RpvOffset);
        return g;
    }
}

/// <summary>struct tmi_tec_params: gprs[8], pc, flags (RUNNABLE = 1), ram_size.</summary>
public sealed record TmiTecParams(ulong[] Gprs, ulong Pc, ulong Flags, ulong RamSize)
{
    public const ulong Runnable = 1;

    public static TmiTecParams Parse(ReadOnlySpan<byte> g)
    {
        var gprs = new ulong[8];
        for (int i = 0; i < 8; i++) gprs[i] = BinaryPrimitives.ReadUInt64LittleEndian(g[(8 * i)..]);
        return new(gprs, BinaryPrimitives.ReadUInt64LittleEndian(g[64..]), BinaryPrimitives.ReadUInt64LittleEndian(g[72..]), BinaryPrimitives.ReadUInt64LittleEndian(g[80..]));
    }

    public byte[] ToGranule()
    {
        var g = new byte[0x1000];
        for (int i = 0; i < Gprs.Length && i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(8 * i), Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(64), Pc);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(72), Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(80), RamSize);
        return g;
    }
}
