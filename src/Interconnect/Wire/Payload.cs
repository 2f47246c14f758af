using Google.Protobuf;

namespace VirtCca.Interconnect;

/// <summary>Reads an event's Protobuf payload: the one place components turn an event back into its message.</summary>
public static class Payload
{
    public static T Read<T>(in SimEvent ev, MessageParser<T> parser) where T : IMessage<T> => parser.ParseFrom(ev.Data.AsSpan());
}
