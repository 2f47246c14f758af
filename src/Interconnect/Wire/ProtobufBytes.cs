using Google.Protobuf;

namespace VirtCca.Interconnect;

/// <summary>
/// A Protobuf message as bytes, without the CodedOutputStream that <c>ToByteArray</c> allocates:
/// what the payload codec uses, and what components that still send byte payloads call (parse with
/// <c>Parser.ParseFrom(ev.Data.AsSpan())</c>, or <c>ev.PayloadAs&lt;T&gt;()</c>). In one process a
/// component may simply send the message object; it is encoded only where it crosses a process.
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
