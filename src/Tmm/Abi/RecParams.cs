using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>RmiRecParams (§2.3): read from the host's granule by the TMM, written into one by a host.</summary>
public sealed record RecParams(ulong Flags, ulong Mpidr, ulong Pc, ulong[] Gprs, ulong NumAux, ulong[] Aux)
{
    public const ulong FlagRunnable = 1;

    public static RecParams Parse(ReadOnlySpan<byte> g)
    {
        var gprs = new ulong[8];
        for (int i = 0; i < 8; i++) gprs[i] = BinaryPrimitives.ReadUInt64LittleEndian(g[(0x300 + 8 * i)..]);
        var aux = new ulong[16];
        for (int i = 0; i < 16; i++) aux[i] = BinaryPrimitives.ReadUInt64LittleEndian(g[(0x808 + 8 * i)..]);
        return new(BinaryPrimitives.ReadUInt64LittleEndian(g), BinaryPrimitives.ReadUInt64LittleEndian(g[0x100..]),
            BinaryPrimitives.ReadUInt64LittleEndian(g[0x200..]), gprs, BinaryPrimitives.ReadUInt64LittleEndian(g[0x800..]), aux);
    }

    /// <summary>The 4 KiB granule image a host writes before REC_CREATE.</summary>
    public byte[] ToGranule()
    {
        if (Gprs.Length > 8 || Aux.Length > 16) throw new ArgumentException($"RmiRecParams holds 8 GPRs and 16 aux addresses, not {Gprs.Length} and {Aux.Length}");
        var g = new byte[0x1000];
        BinaryPrimitives.WriteUInt64LittleEndian(g, Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x100), Mpidr);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x200), Pc);
        for (int i = 0; i < Gprs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x300 + 8 * i), Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x800), NumAux);
        for (int i = 0; i < Aux.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808 + 8 * i), Aux[i]);
        return g;
    }
}
