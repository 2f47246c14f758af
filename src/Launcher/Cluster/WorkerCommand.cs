using Akka.Actor;
using Akka.Cluster;
using VirtCca.Interconnect.Cluster;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Cluster;

/// <summary>`virtcca worker`: join the coordinator's cluster, run the partitions it assigns, exit when told or when the coordinator is gone.</summary>
public static class WorkerCommand
{
    public static int Execute(IReadOnlyList<string> seedNodes, string hostname, int port, bool exitWithStdin, TextWriter output, TextWriter error)
    {
        if (seedNodes.Count == 0)
        {
            error.WriteLine("error: worker: --seed-node is required (the coordinator's address, printed by `virtcca run` as 'coordinator: akka.tcp://...')");
            return 2;
        }
        using var system = ActorSystems.Clustered(ClusterConfig.For(hostname, port, seedNodes, ClusterConfig.WorkerRole));
        system.ActorOf(PartitionActor.PropsFor(NodeFactory.FromResolvedConfig), PartitionActor.Name);
        system.ActorOf(Props.Create(() => new CoordinatorWatch()), "coordinator-watch");
        if (exitWithStdin)
            _ = Task.Run(() => { Console.In.ReadToEnd(); system.Terminate(); });
        system.WhenTerminated.Wait();
        return 0;
    }

    /// <summary>Ends this worker when the coordinator's node becomes unreachable or leaves.</summary>
    private sealed class CoordinatorWatch : ReceiveActor
    {
        public CoordinatorWatch()
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
            Receive<ClusterEvent.UnreachableMember>(m => { if (m.Member.HasRole(ClusterConfig.CoordinatorRole)) Context.System.Terminate(); });
            Receive<ClusterEvent.MemberRemoved>(m => { if (m.Member.HasRole(ClusterConfig.CoordinatorRole)) Context.System.Terminate(); });
        }
    }
}
