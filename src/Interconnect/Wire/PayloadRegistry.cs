using System.Collections.Concurrent;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace VirtCca.Interconnect;

/// <summary>
/// The parsers for Protobuf payloads, by the message's full Protobuf name (its type tag on the wire).
/// A type is known once registered (<see cref="Register(FileDescriptor)"/>, or any message of it sent
/// in this process); on a miss the loaded assemblies that use Protobuf and were not searched yet are searched.
/// A tag still unknown after that is an error naming it, never a guess.
/// </summary>
public static class PayloadRegistry
{
    private static readonly ConcurrentDictionary<string, MessageParser> ByName = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, MessageDescriptor> ByType = new();
    private static readonly ConcurrentDictionary<Type, ulong> DigestTags = new();
    private static readonly HashSet<Assembly> Scanned = new();

    /// <summary>Registers one message type (and the types nested in it).</summary>
    public static void Register(MessageDescriptor message)
    {
        ByName.TryAdd(message.FullName, message.Parser);
        if (message.ClrType != null) ByType.TryAdd(message.ClrType, message);
        foreach (var nested in message.NestedTypes) Register(nested);
    }

    /// <summary>Registers every message type of a .proto file, e.g. <c>PayloadRegistry.Register(SmcReflection.Descriptor)</c>.</summary>
    public static void Register(FileDescriptor file)
    {
        foreach (var m in file.MessageTypes) Register(m);
    }

    /// <summary>Whether a parser for this full Protobuf name is known (after a search of the loaded assemblies).</summary>
    public static bool IsKnown(string fullName) => TryParser(fullName, out _);

    /// <summary>The type tag written on the wire for a message payload: its full Protobuf name.</summary>
    internal static string TagOf(IMessage message)
    {
        var d = message.Descriptor;
        ByName.TryAdd(d.FullName, d.Parser);
        return d.FullName;
    }

    /// <summary>Parses a message of the type named by <paramref name="tag"/>.</summary>
    internal static IMessage Parse(string tag, ReadOnlySpan<byte> bytes)
    {
        if (!TryParser(tag, out var parser))
            throw new SimulationException(
                $"an event payload has the Protobuf type '{tag}', which this process does not know; register it before the run with PayloadRegistry.Register(<its file>Reflection.Descriptor)");
        try { return parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new SimulationException($"an event payload of type '{tag}' does not parse: {e.Message}", e); }
    }

    /// <summary>Parses <paramref name="bytes"/> as the Protobuf message class <paramref name="clrType"/>.</summary>
    internal static IMessage ParseAs(Type clrType, byte[] bytes)
    {
        if (!ByType.TryGetValue(clrType, out var d))
        {
            var prop = clrType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static);
            d = prop?.GetValue(null) as MessageDescriptor
                ?? throw new SimulationException($"{clrType.Name} is not a generated Protobuf message class");
            Register(d);
        }
        return d.Parser.ParseFrom(bytes);
    }

    /// <summary>
    /// What a message payload adds to its receiver's digest: a 64-bit hash of its full Protobuf name,
    /// computed once per type — the same for an object delivered in place and for one that crossed a
    /// process, and with no encoding. The content is not hashed (see README, "Digest").
    /// </summary>
    internal static ulong DigestTag(IMessage message)
    {
        var type = message.GetType();
        if (DigestTags.TryGetValue(type, out var tag)) return tag;
        return DigestTags.GetOrAdd(type, static (_, name) => Fnv1a(name), message.Descriptor.FullName);
    }

    /// <summary>Encodes and parses a payload again (bytes are copied), as if it had crossed a process.</summary>
    internal static object? RoundTrip(object? payload) => payload switch
    {
        IMessage m => Parse(TagOf(m), m.Encode()),
        byte[] b => b.Clone(),
        _ => payload,
    };

    internal static string Describe(object? payload) => payload switch
    {
        null => "no payload",
        byte[] b => $"{b.Length} payload bytes",
        IMessage m => $"a {m.Descriptor.FullName} message",
        _ => $"a {payload.GetType().Name}",
    };

    private static bool TryParser(string name, out MessageParser parser)
    {
        if (ByName.TryGetValue(name, out parser!)) return true;
        ScanLoadedAssemblies();
        return ByName.TryGetValue(name, out parser!);
    }

    /// <summary>Registers the message types of every loaded assembly that uses Protobuf and was not searched before.</summary>
    private static void ScanLoadedAssemblies()
    {
        lock (Scanned)
        {
            var protobuf = typeof(IMessage).Assembly;
            foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (!Scanned.Add(asm) || asm.IsDynamic) continue;
                if (asm != protobuf && !asm.GetReferencedAssemblies().Any(r => r.Name == protobuf.GetName().Name)) continue;
                foreach (var type in TypesOf(asm))
                {
                    if (type is not { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } || !typeof(IMessage).IsAssignableFrom(type)) continue;
                    if (type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is MessageDescriptor d) Register(d);
                }
            }
        }
    }

    private static IEnumerable<Type> TypesOf(Assembly asm)
    {
        try { return asm.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t != null)!; }
    }

    private static ulong Fnv1a(string s)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in s) { h ^= c; h *= 0x100000001B3UL; }
        return h;
    }
}
