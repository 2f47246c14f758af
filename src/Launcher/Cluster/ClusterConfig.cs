using Akka.Configuration;
using VirtCca.Interconnect.Cluster;

namespace VirtCca.Launcher.Cluster;

/// <summary>The Akka.Cluster settings of a virtcca process. No automatic downing: a lost node ends the run instead.</summary>
internal static class ClusterConfig
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    public static Akka.Configuration.Config For(string hostname, int port, IEnumerable<string> seedNodes, string role)
    {
        var seeds = string.Join(", ", seedNodes.Select(s => $"\"{s}\""));
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{hostname}}"
                port = {{port}}
                # One window's batch can hold many thousands of events.
                maximum-frame-size = 64 MiB
                send-buffer-size = 64 MiB
                receive-buffer-size = 64 MiB
              }
              # A run that ends (or fails) should not wait on cluster hand-over phases meant for long-lived services.
              coordinated-shutdown.phases {
                cluster-leave.timeout = 3 s
                cluster-exiting.timeout = 3 s
                cluster-exiting-done.timeout = 3 s
                cluster-shutdown.timeout = 3 s
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = ["{{role}}"]
                log-info = off
                downing-provider-class = ""
                failure-detector {
                  heartbeat-interval = 500 ms
                  acceptable-heartbeat-pause = 3 s
                }
              }
            }
            """).WithFallback(ProtobufSerializer.Configuration);
    }
}
