using Google.Protobuf;

namespace VirtCca.Interconnect;

/// <summary>
/// A Protobuf message as an event's payload bytes. Events carry their payload encoded, so every
/// message a component sends is encoded once and parsed once; this does it without the
/// CodedOutputStream that <c>ToByteArray</c> allocates (parse with <c>Parser.ParseFrom(ev.Data.AsSpan())</c>,
/// which needs no CodedInputStream either).
/// </summary>
public static class ProtobufBytes
{
    public static byte[] Encode(this IMessage message)
    {
        var bytes = new byte[message.CalculateSize()];
        message.WriteTo(bytes.AsSpan());
        return bytes;
    }
}
