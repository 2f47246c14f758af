using Akka.Actor;
using Akka.Configuration;
using VirtCca.Interconnect;

namespace VirtCca.Tests.Shared;

/// <summary>One actor system per test class, configured as the launcher configures it (linked into every test project that runs the actor engine).</summary>
public sealed class ActorSystemFixture : IDisposable
{
    public ActorSystem System { get; } = ActorSystem.Create("tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}
