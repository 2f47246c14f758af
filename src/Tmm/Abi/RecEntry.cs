using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>RmiRecEnter.flags (§2.4).</summary>
[Flags]
public enum RecEntryFlags : ulong
{
    None = 0,
    EmulMmio = 1,
    InjectSea = 2,
    TrapWfi = 4,
    TrapWfe = 8,
    /// <summary>RIPAS_RESPONSE: set means the host REJECTs the Realm's RIPAS change.</summary>
    RipasResponse = 16,
}

/// <summary>
/// RmiRecEnter, the entry half of the run page (run page 0x000..0x7FF): what the host writes before
/// REC_ENTER. Offsets: flags 0x000, gprs[31] 0x200, gicv3_hcr 0x300, gicv3_lrs[16] 0x308.
/// </summary>
public sealed class RecEntry
{
    public const int Size = 0x800;
    public const int GprsOffset = 0x200, GicHcrOffset = 0x300, GicLrsOffset = 0x308;
    /// <summary>The end of the fields the RMM reads (flags .. gicv3_lrs[15]).</summary>
    public const int FieldsEnd = GicLrsOffset + 16 * 8;

    public RecEntryFlags Flags;
    public readonly ulong[] Gprs = new ulong[31];
    public ulong GicHcr;
    public readonly ulong[] GicLrs = new ulong[16];

    public void Clear()
    {
        Flags = 0; GicHcr = 0;
        Array.Clear(Gprs); Array.Clear(GicLrs);
    }

    /// <summary>Lays the entry out as it sits in the run page (at least <see cref="FieldsEnd"/> bytes; the rest of <paramref name="page"/> is cleared).</summary>
    public void Write(Span<byte> page)
    {
        page.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(page, (ulong)Flags);
        for (int i = 0; i < Gprs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(page[(GprsOffset + 8 * i)..], Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(page[GicHcrOffset..], GicHcr);
        for (int i = 0; i < GicLrs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(page[(GicLrsOffset + 8 * i)..], GicLrs[i]);
    }

    /// <summary>Reads the entry half the host wrote (at least <see cref="FieldsEnd"/> bytes).</summary>
    public void Read(ReadOnlySpan<byte> page)
    {
        Flags = (RecEntryFlags)BinaryPrimitives.ReadUInt64LittleEndian(page);
        for (int i = 0; i < Gprs.Length; i++) Gprs[i] = BinaryPrimitives.ReadUInt64LittleEndian(page[(GprsOffset + 8 * i)..]);
        GicHcr = BinaryPrimitives.ReadUInt64LittleEndian(page[GicHcrOffset..]);
        for (int i = 0; i < GicLrs.Length; i++) GicLrs[i] = BinaryPrimitives.ReadUInt64LittleEndian(page[(GicLrsOffset + 8 * i)..]);
    }
}
