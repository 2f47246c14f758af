using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace VirtCca.Interconnect;

/// <summary>
/// The mailbox of actors on the partition dispatcher: an unbounded queue allocated on first use.
/// Akka's default queue allocates a 32-slot segment per actor up front (about 1 KB); a component
/// actor's mailbox is almost always empty, since the partition calls its handler directly.
/// </summary>
public sealed class ComponentMailboxType(Akka.Actor.Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<LazyMessageQueue>
{
    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new LazyMessageQueue();
}

/// <summary>A lock-protected FIFO whose storage exists only once a message has arrived.</summary>
public sealed class LazyMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private Queue<Envelope>? _queue;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;
    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (this)
        {
            (_queue ??= new Queue<Envelope>()).Enqueue(envelope);
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        if (Volatile.Read(ref _count) == 0) { envelope = default; return false; }
        lock (this)
        {
            if (_queue is not { Count: > 0 } q) { envelope = default; return false; }
            envelope = q.Dequeue();
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var e)) deadletters.Enqueue(owner, e);
    }
}
