using System.Buffers;
using System.Buffers.Binary;

namespace VirtCca.Devices.Memory;

/// <summary>
/// Memory as one side of a virtqueue sees it, addressed by guest-physical address (IPA): for a
/// normal VM its stage-2 view, for a realm's device the shared (unprotected) half, for a realm's
/// driver its protected memory. Who supplies it owns the translation; a virtio driver or backend
/// only reads and writes through it. An address it cannot translate throws
/// <see cref="GuestMemoryFault"/> (a guest bug the caller reports, never a crash of the run).
/// </summary>
public interface IGuestMemory
{
    void Read(ulong gpa, Span<byte> data);
    void Write(ulong gpa, ReadOnlySpan<byte> data);
}

/// <summary>An access at a guest address the view does not map.</summary>
public sealed class GuestMemoryFault(ulong gpa, string view) : Exception($"guest address 0x{gpa:X} is not mapped in {view}")
{
    public ulong Gpa { get; } = gpa;
}

/// <summary>Little-endian field access, as the virtio spec lays out every ring field.</summary>
public static class GuestMemoryFields
{
    public static ushort ReadU16(this IGuestMemory m, ulong gpa) { Span<byte> b = stackalloc byte[2]; m.Read(gpa, b); return BinaryPrimitives.ReadUInt16LittleEndian(b); }
    public static uint ReadU32(this IGuestMemory m, ulong gpa) { Span<byte> b = stackalloc byte[4]; m.Read(gpa, b); return BinaryPrimitives.ReadUInt32LittleEndian(b); }
    public static ulong ReadU64(this IGuestMemory m, ulong gpa) { Span<byte> b = stackalloc byte[8]; m.Read(gpa, b); return BinaryPrimitives.ReadUInt64LittleEndian(b); }
    public static void WriteU16(this IGuestMemory m, ulong gpa, ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); m.Write(gpa, b); }
    public static void WriteU32(this IGuestMemory m, ulong gpa, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); m.Write(gpa, b); }
    public static void WriteU64(this IGuestMemory m, ulong gpa, ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); m.Write(gpa, b); }

    public static byte[] ReadBytes(this IGuestMemory m, ulong gpa, int length)
    {
        var data = new byte[length];
        m.Read(gpa, data);
        return data;
    }

    /// <summary>Copies <paramref name="length"/> bytes from one view to another (a bounce copy, or a backend's copy into a packet).</summary>
    public static void CopyTo(this IGuestMemory from, ulong src, IGuestMemory to, ulong dst, int length)
    {
        var buf = ArrayPool<byte>.Shared.Rent(Math.Min(length, 64 * 1024));
        for (int done = 0; done < length;)
        {
            int n = Math.Min(buf.Length, length - done);
            from.Read(src + (ulong)done, buf.AsSpan(0, n));
            to.Write(dst + (ulong)done, buf.AsSpan(0, n));
            done += n;
        }
        ArrayPool<byte>.Shared.Return(buf);
    }
}
