using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Dispatch;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect;

/// <summary>Deliver this event now, behind the mail the actor already holds (the partition's slow path).</summary>
internal sealed record DeliverEvent(SimEvent Event);

/// <summary>
/// The actor shell of one component: it owns the component's host (state, clock, digest). It sits on
/// the partition dispatcher, so whatever tells it runs it on that thread with no hop. While its
/// mailbox is empty the partition calls the component's handler directly — what the actor would do
/// next anyway — and tells it a <see cref="DeliverEvent"/> only when other mail is waiting, so the
/// event is handled after that mail. Untyped rather than a ReceiveActor: a machine has 10^5 of
/// these, and a ReceiveActor's per-instance handler table would be most of each one's memory.
/// </summary>
internal sealed class ComponentActor(ComponentHost host) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is not DeliverEvent d) { Unhandled(message); return; }
        // A model error must stop the run, not be swallowed by supervision and restart the actor.
        try { host.Deliver(d.Event); }
        catch (Exception e) { host.Failure = e; }
    }
}

/// <summary>Creates the component actor of one host, without the reflection of an expression or activator.</summary>
internal sealed class ComponentActorProducer(ComponentHost host) : IIndirectActorProducer
{
    public Type ActorType => typeof(ComponentActor);
    public ActorBase Produce() => new ComponentActor(host);
    public void Release(ActorBase actor) { }
}

/// <summary>Create a component actor for each of these hosts, as children, on the caller's thread.</summary>
internal sealed record CreateComponents(IReadOnlyList<ComponentHost> Hosts);

/// <summary>
/// The parent of one run's component actors. A child created from inside an actor starts at once
/// (no asynchronous top-level start), and on the partition dispatcher that happens on the thread
/// that told this actor — so creating 10^5 components costs no round trip per actor.
/// </summary>
internal sealed class ComponentParent : UntypedActor
{
    private static readonly Deploy ChildDeploy = Deploy.Local.WithDispatcher(PartitionDispatcher.ConfigPath);

    protected override void OnReceive(object message)
    {
        if (message is not CreateComponents c) { Unhandled(message); return; }
        // What Context.ActorOf does for each child, with the dispatcher and mailbox type looked up
        // once instead of per child (that lookup reflects over the actor type every time: most of
        // the cost of 10^5 children). The child still registers with this parent as usual.
        var cell = (ActorCell)Context;
        var system = (ActorSystemImpl)Context.System;
        var dispatcher = system.Dispatchers.Lookup(PartitionDispatcher.ConfigPath);
        MailboxType? mailbox = null;
        foreach (var h in c.Hosts)
        {
            var props = Props.CreateBy(new ComponentActorProducer(h)).WithDeploy(ChildDeploy);
            mailbox ??= system.Mailboxes.GetMailboxType(props, dispatcher.Configurator.Config);
            var name = ChildName(h.Self);
            cell.ReserveChild(name);
            var child = new LocalActorRef(system, props, dispatcher, mailbox, (IInternalActorRef)cell.Self, new ChildActorPath(Self.Path, name, h.Self + 1));
            cell.InitChild(child);
            child.Start();
            h.Cell = child.Underlying;
            h.Mail = (h.Cell as ActorCell)?.Mailbox?.MessageQueue as LazyMessageQueue;
        }
    }

    public static string ChildName(int id) => "c" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Props PropsFor() => Props.Create(() => new ComponentParent()).WithDispatcher(PartitionDispatcher.ConfigPath);
}
