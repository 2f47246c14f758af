using System.Buffers.Binary;

namespace VirtCca.Devices.Load;

/// <summary>
/// The request/response header the load generators, responders and server workloads exchange as an
/// Ethernet payload: kind (1 request, 2 response), connection, request id, and the size of the
/// response the client wants (the whole response payload, header included); the rest of a payload
/// is padding up to its size.
/// </summary>
public readonly record struct AppMessage(byte Kind, uint Connection, ulong Id, uint ResponseBytes)
{
    public const byte Request = 1, Response = 2;
    public const int HeaderBytes = 18;

    /// <summary>The payload: this header, padded with zeros to <paramref name="payloadBytes"/> (at least the header).</summary>
    public byte[] Encode(int payloadBytes)
    {
        var p = new byte[Math.Max(HeaderBytes, payloadBytes)];
        p[0] = Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(2), Connection);
        BinaryPrimitives.WriteUInt64LittleEndian(p.AsSpan(6), Id);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(14), ResponseBytes);
        return p;
    }

    public static AppMessage? Decode(ReadOnlySpan<byte> payload) =>
        payload.Length < HeaderBytes || payload[0] is not (Request or Response) ? null
            : new AppMessage(payload[0], BinaryPrimitives.ReadUInt32LittleEndian(payload[2..]), BinaryPrimitives.ReadUInt64LittleEndian(payload[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(payload[14..]));
}
