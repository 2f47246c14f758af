using Akka.Actor;
using Akka.Configuration;
using VirtCca.Interconnect;

namespace VirtCca.Cores.Tests;

/// <summary>One actor system per test class, configured as the launcher configures it.</summary>
public sealed class ActorSystemFixture : IDisposable
{
    public ActorSystem System { get; } = ActorSystem.Create("cores-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}
