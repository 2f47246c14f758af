using Akka.Actor;
using VirtCca.Interconnect.Cluster;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

/// <summary>
/// The distributed window protocol (CoordinatorActor and a PartitionActor per node) with two nodes in
/// one actor system: every event between nodes goes through the batch codec, payload objects included.
/// </summary>
public sealed class ClusterPathTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    private static int s_run;

    private async Task<RunResult> RunOnNodes(KernelSettings settings, int nodes)
    {
        int run = Interlocked.Increment(ref s_run);
        var model = new TokenModel();
        var refs = Enumerable.Range(0, nodes)
            .Select(i => fx.System.ActorOf(PartitionActor.PropsFor(_ => (new TokenModel(), settings)), $"cluster-path-{run}-node-{i}"))
            .ToList();
        var done = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var coordinator = fx.System.ActorOf(Props.Create(() => new CoordinatorActor()), $"cluster-path-{run}-coordinator");
        try
        {
            coordinator.Tell(new CoordinateRun(refs, "", settings.Partitions, settings.EndTime.Picoseconds,
                WindowPlan.For(model.Topology, settings, nodes * settings.Partitions), TimeSpan.FromSeconds(60), done, null));
            return await done.Task.WaitAsync(TimeSpan.FromSeconds(120));
        }
        finally
        {
            fx.System.Stop(coordinator);
            foreach (var r in refs) fx.System.Stop(r);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Two_nodes_give_the_sequential_digest_in_both_codec_modes(int partitionsPerNode)
    {
        var s = new KernelSettings { Seed = 9, EndTime = new SimTime(2_000_000), Partitions = partitionsPerNode, Threads = 1 };
        var reference = SequentialEngine.Run(new TokenModel(), s);
        var across = await RunOnNodes(s, 2);
        Assert.Equal(reference.Digest, across.Digest);
        Assert.Equal(reference.Events, across.Events);
        Assert.Equal("exact", across.Sync.Mode);
        Assert.Equal(2_000, across.Sync.Lookahead);
        var always = await RunOnNodes(s with { PayloadCodec = PayloadCodec.Always }, 2);
        Assert.Equal(reference.Digest, always.Digest);
    }

    [Fact]
    public async Task A_lax_run_over_two_nodes_equals_the_one_process_lax_run_and_its_shifts()
    {
        var s = new KernelSettings { Seed = 9, EndTime = new SimTime(2_000_000), Partitions = 1, Threads = 1, Quantum = new SimTime(7_000) };
        var local = LocalEngine.Run(new TokenModel(), s with { Partitions = 3 }, fx.System);
        var across = await RunOnNodes(s, 2);
        Assert.Equal(local.Digest, across.Digest);
        Assert.Equal(local.Sync, across.Sync with { Lookahead = local.Sync.Lookahead });
        Assert.True(across.Sync.Shifted > 0);
    }
}
