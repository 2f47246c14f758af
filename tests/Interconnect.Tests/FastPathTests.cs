using Akka.Actor;
using Akka.Dispatch;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect.Tests;

/// <summary>
/// The partition calls a component's handler directly while its actor's mailbox is empty, and goes
/// through the actor — behind the waiting mail — when it is not.
/// </summary>
public sealed class FastPathTests(ActorSystemFixture fx) : IClassFixture<ActorSystemFixture>
{
    [Fact]
    public void Without_other_mail_no_event_goes_through_an_actor()
    {
        var s = new KernelSettings { EndTime = new SimTime(1_000_000), Partitions = 2, Threads = 2 };
        var r = LocalEngine.Run(new TokenModel(), s, fx.System, null, default, out long throughActor);
        Assert.True(r.Events > 1_000);
        Assert.Equal(0, throughActor);
    }

    [Fact]
    public void An_actor_with_mail_takes_it_before_the_partitions_event()
    {
        var recorder = new Recorder();
        var b = new Topology.Builder();
        int s = b.Add("sender"), r = b.Add("recorder");
        b.Link(s, r, new SimTime(1_000));
        var model = new FactoryModel("mail", b.Build(), id => id == s ? new Sender((r, 1, 0), (r, 2, 500)) : recorder);
        using var runner = new WindowRunner(model, new KernelSettings { Partitions = 1 }, 1, [0], fx.System);
        var host = runner.Local[0].Hosts.Single(h => h.Self == r);
        // Mail that arrived without being run (as from another thread while the actor was busy): an earlier event.
        var mailbox = ((ActorCell)host.Cell!).Mailbox;
        mailbox!.MessageQueue!.Enqueue(host.Cell!.Self, new Envelope(new DeliverEvent(new SimEvent(7, r, 99, 0, 3, 0, null)), ActorRefs.NoSender));
        Assert.True(host.Cell!.HasMessages);

        runner.Start();
        runner.FlushRemote(null);
        runner.RunWindow(long.MaxValue, null);

        Assert.Equal(new[] { "7:99#0:3:0", "1000:0#0:1:0", "1500:0#1:2:0" }, recorder.Log);
        Assert.Equal(1, runner.ThroughActor);
        Assert.False(host.Cell.HasMessages);
    }

    [Fact]
    public void Component_actors_are_children_of_one_parent_created_without_a_round_trip_each()
    {
        var s = new KernelSettings { EndTime = new SimTime(1_000), Partitions = 1 };
        using var runner = new WindowRunner(new TokenModel(components: 300, groupSize: 3), s, 1, [0], fx.System);
        var parents = runner.Local[0].Hosts.Select(h => h.Cell!.Parent).Distinct().ToList();
        Assert.Single(parents);
        Assert.All(runner.Local[0].Hosts, h => Assert.Equal(ComponentParent.ChildName(h.Self), h.Cell!.Self.Path.Name));
    }
}
