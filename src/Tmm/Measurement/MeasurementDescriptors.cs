using System.Buffers.Binary;

namespace VirtCca.Tmm.Measurement;

/// <summary>
/// The byte images the RIM is extended with (RMM v1.0 §6.2). Every descriptor is 0x100 bytes,
/// zero padded, little-endian; `rim` and `content` fields are 64 bytes with a SHA-256 value in the
/// first 32.
/// </summary>
public static class MeasurementDescriptors
{
    public const int DescriptorSize = 0x100;
    public const int GranuleSize = 4096;
    public const ulong MeasureContent = 1; // RMI_DATA_CREATE flags: RMI_MEASURE_CONTENT

    /// <summary>The 4096-byte RmiRealmParams image that REALM_CREATE measures: only the measured fields kept.</summary>
    public static byte[] RealmParamsImage(ulong flags, byte s2sz, byte sveVl, byte numBps, byte numWps, byte pmuNumCtrs, RmiHashAlgorithm hash)
    {
        var p = new byte[GranuleSize];
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(0x000), flags);
        p[0x008] = s2sz;
        p[0x010] = sveVl;
        p[0x018] = numBps;
        p[0x020] = numWps;
        p[0x028] = pmuNumCtrs;
        p[0x030] = (byte)hash;
        return p;
    }

    /// <summary>The 4096-byte RmiRecParams image that REC_CREATE measures: flags, pc and gprs[0..7] only.</summary>
    public static byte[] RecParamsImage(ulong flags, ulong pc, ReadOnlySpan<ulong> gprs)
    {
        if (gprs.Length > 8) throw new ArgumentException("a REC has 8 initial GPRs", nameof(gprs));
        var p = new byte[GranuleSize];
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(0x000), flags);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(0x200), pc);
        for (int i = 0; i < gprs.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(0x300 + 8 * i), gprs[i]);
        return p;
    }

    /// <summary>Descriptor type 0: DATA_CREATE of one granule at <paramref name="ipa"/>.</summary>
    public static byte[] Data(ReadOnlySpan<byte> rim, ulong ipa, ulong flags, ReadOnlySpan<byte> contentHash)
    {
        var d = Header(0, rim);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), ipa);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x58), flags);
        contentHash.CopyTo(d.AsSpan(0x60, 64));
        return d;
    }

    /// <summary>Descriptor type 1: REC_CREATE of a runnable REC; <paramref name="contentHash"/> = H(RecParamsImage).</summary>
    public static byte[] Rec(ReadOnlySpan<byte> rim, ReadOnlySpan<byte> contentHash)
    {
        var d = Header(1, rim);
        contentHash.CopyTo(d.AsSpan(0x50, 64));
        return d;
    }

    /// <summary>Descriptor type 2: RTT_INIT_RIPAS of one RTT entry covering [base, top).</summary>
    public static byte[] Ripas(ReadOnlySpan<byte> rim, ulong baseIpa, ulong top)
    {
        var d = Header(2, rim);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), baseIpa);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x58), top);
        return d;
    }

    private static byte[] Header(ulong type, ReadOnlySpan<byte> rim)
    {
        if (rim.Length > 64) throw new ArgumentException("a measurement is at most 64 bytes", nameof(rim));
        var d = new byte[DescriptorSize];
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x00), type);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x08), DescriptorSize);
        rim.CopyTo(d.AsSpan(0x10, 64));
        return d;
    }
}
