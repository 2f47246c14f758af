using System.Buffers.Binary;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Network;

/// <summary>
/// Ethernet framing as the NICs and switches see it: 14-byte header (destination MAC, source MAC,
/// EtherType), payload, and on the wire a 4-byte FCS, padding to 64 bytes, and 20 bytes of preamble,
/// start delimiter and inter-frame gap (IEEE 802.3). A station's address is a small integer carried
/// in a locally administered MAC (02:00:00:xx:xx:xx).
/// </summary>
public static class Ethernet
{
    public const int HeaderBytes = 14, FcsBytes = 4, MinFrameBytes = 64, PreambleAndGapBytes = 20;
    /// <summary>IEEE 802 local experimental EtherType, used for the simulator's request/response payloads.</summary>
    public const ushort ExperimentalType = 0x88B5;

    public static byte[] Frame(int destination, int source, ReadOnlySpan<byte> payload, ushort etherType = ExperimentalType)
    {
        var f = new byte[HeaderBytes + payload.Length];
        WriteMac(f.AsSpan(0, 6), destination);
        WriteMac(f.AsSpan(6, 6), source);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), etherType);
        payload.CopyTo(f.AsSpan(HeaderBytes));
        return f;
    }

    public static int Destination(ReadOnlySpan<byte> frame) => ReadMac(frame[..6]);
    public static int Source(ReadOnlySpan<byte> frame) => ReadMac(frame.Slice(6, 6));

    /// <summary>Bytes a frame of <paramref name="frameBytes"/> (header + payload, no FCS) occupies on the wire.</summary>
    public static long WireBytes(int frameBytes) => Math.Max(frameBytes + FcsBytes, MinFrameBytes) + PreambleAndGapBytes;

    /// <summary>Time to serialise <paramref name="wireBytes"/> at <paramref name="bitsPerSecond"/>, to the picosecond.</summary>
    public static SimTime Serialisation(long wireBytes, long bitsPerSecond) =>
        new(SimTime.Scale(wireBytes, 8_000_000_000_000, bitsPerSecond));

    private static void WriteMac(Span<byte> mac, int address)
    {
        if (address is < 0 or > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(address), $"station address {address} is not in 0..0xFFFFFF");
        mac[0] = 0x02; mac[1] = 0; mac[2] = 0;
        mac[3] = (byte)(address >> 16); mac[4] = (byte)(address >> 8); mac[5] = (byte)address;
    }

    private static int ReadMac(ReadOnlySpan<byte> mac) => mac[3] << 16 | mac[4] << 8 | mac[5];
}
