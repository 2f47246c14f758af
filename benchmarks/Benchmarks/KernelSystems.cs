using Akka.Actor;
using Akka.Configuration;
using VirtCca.Interconnect;

namespace VirtCca.Benchmarks;

internal static class KernelSystems
{
    public static ActorSystem Create(string name) => ActorSystem.Create(name,
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));
}
