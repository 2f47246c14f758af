using System.Buffers.Binary;

namespace VirtCca.Tmm.Abi;

/// <summary>RsiHostCall (§2.5): the 256-byte block a Realm passes to RSI_HOST_CALL — imm at 0x000, gprs[31] at 0x008.</summary>
public static class RsiHostCall
{
    public const int Size = 0x100, ImmOffset = 0x000, GprsOffset = 0x008;

    public static ushort Imm(ReadOnlySpan<byte> block) => BinaryPrimitives.ReadUInt16LittleEndian(block[ImmOffset..]);
    public static ulong Gpr(ReadOnlySpan<byte> block, int i) => BinaryPrimitives.ReadUInt64LittleEndian(block[(GprsOffset + 8 * i)..]);
}
