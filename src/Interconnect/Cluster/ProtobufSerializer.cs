using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;

namespace VirtCca.Interconnect.Cluster;

/// <summary>Akka serializer for every Protobuf-generated message; the manifest is the message's full type name.</summary>
public sealed class ProtobufSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>HOCON that binds every <see cref="IMessage"/> to this serializer.</summary>
    public static readonly Akka.Configuration.Config Configuration = Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.virtcca-protobuf = "{{typeof(ProtobufSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "Google.Protobuf.IMessage, Google.Protobuf" = virtcca-protobuf }
          serialization-identifiers { "{{typeof(ProtobufSerializer).AssemblyQualifiedName}}" = 4217 }
        }
        """);

    private static readonly ConcurrentDictionary<string, MessageParser> Parsers = new();

    public override int Identifier => 4217;

    public override byte[] ToBinary(object obj) => ((IMessage)obj).Encode();

    public override string Manifest(object o) => o.GetType().FullName!;

    public override object FromBinary(byte[] bytes, string manifest) =>
        Parsers.GetOrAdd(manifest, Resolve).ParseFrom(bytes);

    private static MessageParser Resolve(string manifest)
    {
        var type = typeof(ProtobufSerializer).Assembly.GetType(manifest)
            ?? throw new System.Runtime.Serialization.SerializationException($"no Protobuf message type {manifest} in {typeof(ProtobufSerializer).Assembly.GetName().Name}");
        return (MessageParser)type.GetProperty("Parser")!.GetValue(null)!;
    }
}
