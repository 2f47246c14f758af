using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Run;

/// <summary>
/// Actor systems as the launcher makes them: configs passed explicitly, logging at WARNING, less one
/// line: a process whose transport shuts down while a connection is still open (a worker, at the end
/// of every distributed run) logs "Unable to REMOVE channel … May not shut down cleanly" — noise, not a
/// problem, and it leaked into the run's output.
/// </summary>
public static class ActorSystems
{
    public const string SystemName = "virtcca";

    private static readonly Akka.Configuration.Config Common = ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-actor-system-terminate = on
        }
        """).WithFallback(PartitionDispatcher.Configuration);

    public const string ShutdownNoise = "Unable to REMOVE channel";

    public static ActorSystem Local() => Create(Common);

    public static ActorSystem Clustered(Akka.Configuration.Config cluster) => Create(cluster.WithFallback(Common));

    private static ActorSystem Create(Akka.Configuration.Config config) =>
        ActorSystem.Create(SystemName, ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(config),
            new LogFilterBuilder().ExcludeMessageContaining(ShutdownNoise).Build()));
}
