using Akka.Actor;
using Akka.Configuration;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Run;

/// <summary>Actor systems as the launcher makes them: configs passed explicitly, logging at WARNING.</summary>
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

    public static ActorSystem Local() => ActorSystem.Create(SystemName, Common);

    public static ActorSystem Clustered(Akka.Configuration.Config cluster) => ActorSystem.Create(SystemName, cluster.WithFallback(Common));
}
