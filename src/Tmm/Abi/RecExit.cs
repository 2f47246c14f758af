using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>
/// RmiRecExit, the exit half of the run page (run page 0x800..0xFFF; offsets below are relative to
/// it): what a REC exit reports to the host (§2.4, §5.2). Every field the exit does not set is zero.
/// </summary>
public sealed class RecExit(RecExitReason reason)
{
    /// <summary>Where the exit half starts in the run page, and its size.</summary>
    public const int Offset = 0x800, Size = 0x800;
    public const int EsrOffset = 0x100, FarOffset = 0x108, HpfarOffset = 0x110, GprsOffset = 0x200, GicHcrOffset = 0x300,
        GicLrsOffset = 0x308, GicMisrOffset = 0x388, GicVmcrOffset = 0x390, CntpCtlOffset = 0x400, CntpCvalOffset = 0x408,
        CntvCtlOffset = 0x410, CntvCvalOffset = 0x418, RipasBaseOffset = 0x500, RipasTopOffset = 0x508, RipasValueOffset = 0x510,
        ImmOffset = 0x600, PmuOvfStatusOffset = 0x700;

    public RecExitReason Reason { get; private set; } = reason;
    public ulong Esr, Far, Hpfar, RipasBase, RipasTop, RipasValue;
    public ushort Imm;
    public ulong GicHcr, GicMisr, GicVmcr;
    /// <summary>The Realm's EL1 physical and virtual timer state at the exit, so the host can emulate them.</summary>
    public ulong CntpCtl, CntpCval, CntvCtl, CntvCval;
    public byte PmuOvfStatus;
    public ulong[] GicLrs { get; } = new ulong[16];
    public ulong[] Gprs { get; } = new ulong[31];

    /// <summary>X<paramref name="i"/> as the record reports it.</summary>
    public ulong Gpr(int i) => Gprs[i];

    /// <summary>
    /// Writes the exit half into <paramref name="x"/> (0x800 bytes). <paramref name="gapsAreZero"/>: the bytes
    /// between fields are known to be zero already (a buffer only ever written by this method), so only the
    /// fields are written — clearing 2 KiB per exit was a tenth of the TMM's time.
    /// </summary>
    public void Write(Span<byte> x, bool gapsAreZero = false)
    {
        if (x.Length != Size) throw new ArgumentException($"the exit half is 0x800 bytes, not 0x{x.Length:X}", nameof(x));
        if (!gapsAreZero) x.Clear();
        x[0x000] = (byte)Reason;
        BinaryPrimitives.WriteUInt64LittleEndian(x[EsrOffset..], Esr);
        BinaryPrimitives.WriteUInt64LittleEndian(x[FarOffset..], Far);
        BinaryPrimitives.WriteUInt64LittleEndian(x[HpfarOffset..], Hpfar);
        for (int i = 0; i < Gprs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(x[(GprsOffset + 8 * i)..], Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(x[GicHcrOffset..], GicHcr);
        for (int i = 0; i < GicLrs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(x[(GicLrsOffset + 8 * i)..], GicLrs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(x[GicMisrOffset..], GicMisr);
        BinaryPrimitives.WriteUInt64LittleEndian(x[GicVmcrOffset..], GicVmcr);
        BinaryPrimitives.WriteUInt64LittleEndian(x[CntpCtlOffset..], CntpCtl);
        BinaryPrimitives.WriteUInt64LittleEndian(x[CntpCvalOffset..], CntpCval);
        BinaryPrimitives.WriteUInt64LittleEndian(x[CntvCtlOffset..], CntvCtl);
        BinaryPrimitives.WriteUInt64LittleEndian(x[CntvCvalOffset..], CntvCval);
        BinaryPrimitives.WriteUInt64LittleEndian(x[RipasBaseOffset..], RipasBase);
        BinaryPrimitives.WriteUInt64LittleEndian(x[RipasTopOffset..], RipasTop);
        x[RipasValueOffset] = (byte)RipasValue;
        BinaryPrimitives.WriteUInt16LittleEndian(x[ImmOffset..], Imm);
        x[PmuOvfStatusOffset] = PmuOvfStatus;
    }

    /// <summary>Reads an exit half (0x800 bytes) as the host does after REC_ENTER returned.</summary>
    public static RecExit Read(ReadOnlySpan<byte> x)
    {
        var r = new RecExit(0);
        r.ReadFrom(x);
        return r;
    }

    /// <summary>Overwrites every field with the exit half in <paramref name="x"/>: a host that reads one record per exit keeps one object.</summary>
    public void ReadFrom(ReadOnlySpan<byte> x)
    {
        if (x.Length < Size) throw new ArgumentException($"the exit half is 0x800 bytes, not 0x{x.Length:X}", nameof(x));
        Reason = (RecExitReason)x[0];
        Esr = U(x, EsrOffset); Far = U(x, FarOffset); Hpfar = U(x, HpfarOffset); GicHcr = U(x, GicHcrOffset); GicMisr = U(x, GicMisrOffset);
        GicVmcr = U(x, GicVmcrOffset); CntpCtl = U(x, CntpCtlOffset); CntpCval = U(x, CntpCvalOffset); CntvCtl = U(x, CntvCtlOffset);
        CntvCval = U(x, CntvCvalOffset); RipasBase = U(x, RipasBaseOffset); RipasTop = U(x, RipasTopOffset); RipasValue = x[RipasValueOffset];
        Imm = BinaryPrimitives.ReadUInt16LittleEndian(x[ImmOffset..]); PmuOvfStatus = x[PmuOvfStatusOffset];
        for (int i = 0; i < Gprs.Length; i++) Gprs[i] = U(x, GprsOffset + 8 * i);
        for (int i = 0; i < GicLrs.Length; i++) GicLrs[i] = U(x, GicLrsOffset + 8 * i);
    }

    private static ulong U(ReadOnlySpan<byte> x, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(x[offset..]);
}
