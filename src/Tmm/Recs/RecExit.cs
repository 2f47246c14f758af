using System.Buffers.Binary;

namespace VirtCca.Tmm.Recs;

/// <summary>What a REC exit reports to the host (RmiRecExit, §2.4); every field not set stays zero.</summary>
public sealed class RecExit(RecExitReason reason)
{
    public RecExitReason Reason { get; } = reason;
    public ulong Esr, Far, Hpfar, RipasBase, RipasTop, RipasValue;
    public ushort Imm;
    public ulong GicHcr;
    public ulong[] GicLrs { get; } = new ulong[16];
    public ulong[] Gprs { get; } = new ulong[31];

    public const int Offset = 0x800;

    /// <summary>Writes the exit half of the run page (run page offsets 0x800..0xFFF) into <paramref name="x"/>.</summary>
    public void WriteExitHalf(Span<byte> x)
    {
        if (x.Length != 0x800) throw new ArgumentException($"the exit half is 0x800 bytes, not 0x{x.Length:X}", nameof(x));
        x.Clear();
        x[0x000] = (byte)Reason;
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x100..], Esr);
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x108..], Far);
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x110..], Hpfar);
        for (int i = 0; i < 31; i++) BinaryPrimitives.WriteUInt64LittleEndian(x[(0x200 + 8 * i)..], Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x300..], GicHcr);
        for (int i = 0; i < 16; i++) BinaryPrimitives.WriteUInt64LittleEndian(x[(0x308 + 8 * i)..], GicLrs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x500..], RipasBase);
        BinaryPrimitives.WriteUInt64LittleEndian(x[0x508..], RipasTop);
        x[0x510] = (byte)RipasValue;
        BinaryPrimitives.WriteUInt16LittleEndian(x[0x600..], Imm);
    }

    // ESR fields of a data abort taken from a lower EL.
    public const ulong EcDataAbortLower = 0x24UL << 26, Il = 1UL << 25, Isv = 1UL << 24, Sf = 1UL << 15, WnR = 1UL << 6;
    public const ulong DfscTranslationL3 = 0x07;
    public const ulong EcWfx = 0x01UL << 26;
    /// <summary>A trapped MSR/MRS (EC 0x18); the host sees the ISS without Rt (bits [9:5]).</summary>
    public const ulong EcSysReg = 0x18UL << 26, SysRegIssVisible = 0x1FF_FFFFUL & ~(0x1FUL << 5);
    public const ulong EcInstructionAbortLower = 0x20UL << 26;
    /// <summary>SError syndrome bits the host may see: EC, IDS, AET, EA, DFSC.</summary>
    public const ulong SErrorVisible = 0x3FUL << 26 | 1UL << 24 | 0x7UL << 10 | 1UL << 9 | 0x3F;
    public static ulong Sas(int size) => (ulong)System.Numerics.BitOperations.Log2((uint)size) << 22;
}
