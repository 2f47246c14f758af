using Akka.Actor;
using Akka.Cluster;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Cluster;
using VirtCca.Interconnect.Engine;
using VirtCca.Launcher.Config;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Cluster;

/// <summary>
/// `virtcca run` with cluster.nodes = N > 1: this process becomes the coordinator and node 0, starts
/// N-1 worker processes on this machine (or, with cluster.start-workers = off, waits for N-1 workers
/// started by hand), runs the window protocol across them, and stops them.
/// </summary>
public static class ClusterLauncher
{
    public static RunResult Run(Experiment experiment, Action<RunProgress>? progress, TextWriter output)
    {
        var c = experiment.Cluster;
        using var system = ActorSystems.Clustered(ClusterConfig.For(c.Hostname, c.Port, [], ClusterConfig.CoordinatorRole));
        var cluster = Akka.Cluster.Cluster.Get(system);
        var self = cluster.SelfAddress;
        cluster.Join(self);
        output.WriteLine($"coordinator: {self}");
        using var workers = new WorkerProcesses();
        var local = system.ActorOf(PartitionActor.PropsFor(NodeFactory.FromResolvedConfig), PartitionActor.Name);
        try
        {
            if (c.StartWorkers) workers.Start(c.Nodes - 1, self.ToString(), c.Hostname, output);
            else output.WriteLine($"waiting for {c.Nodes - 1} worker(s) to join {self}");
            var members = WaitForMembers(system, c.Nodes, c.JoinTimeout, workers);
            var nodes = new List<IActorRef> { local };
            foreach (var m in members.Where(m => !m.Address.Equals(self)).OrderBy(m => m.Address.Host).ThenBy(m => m.Address.Port))
            {
                var path = new RootActorPath(m.Address) / "user" / PartitionActor.Name;
                nodes.Add(system.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult());
                output.WriteLine($"node {nodes.Count - 1}: {m.Address}");
            }

            var model = experiment.ModelFactory();
            var completion = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var coordinator = system.ActorOf(Props.Create(() => new CoordinatorActor()), "coordinator");
            int perNode = Math.Max(1, experiment.Kernel.Partitions);
            coordinator.Tell(new CoordinateRun(nodes, NodeFactory.Resolved(experiment), perNode,
                experiment.Kernel.EndTime.Picoseconds, WindowPlan.For(model.Topology, experiment.Kernel, nodes.Count * perNode),
                c.WindowTimeout, completion, progress));
            try { return completion.Task.GetAwaiter().GetResult(); }
            finally
            {
                foreach (var n in nodes.Skip(1)) n.Tell(new Interconnect.Wire.Shutdown());
            }
        }
        finally
        {
            workers.Dispose();
            cluster.Leave(self);
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    private static IReadOnlyList<Member> WaitForMembers(ActorSystem system, int count, TimeSpan timeout, WorkerProcesses workers)
    {
        var ready = new TaskCompletionSource<IReadOnlyList<Member>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = system.ActorOf(MembershipWatch.PropsFor(count, ready), "membership-watch");
        try
        {
            // Also wake when a started worker dies before joining, so that is reported at once.
            var exited = workers.Processes.Select(p => p.WaitForExitAsync()).ToList();
            var timer = Task.Delay(timeout);
            var first = Task.WhenAny([ready.Task, timer, .. exited]).GetAwaiter().GetResult();
            if (first == ready.Task) return ready.Task.Result;
            var dead = workers.Processes.FirstOrDefault(p => p.HasExited);
            if (dead != null)
                throw new SimulationException($"worker process pid {dead.Id} exited with code {dead.ExitCode} before joining the cluster");
            int up = Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);
            throw new SimulationException($"only {up} of {count} nodes joined within {timeout.TotalSeconds:F0} s (cluster.join-timeout)");
        }
        finally { system.Stop(watch); }
    }
}
