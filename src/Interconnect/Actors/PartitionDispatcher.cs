using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace VirtCca.Interconnect;

/// <summary>
/// A dispatcher that runs an actor's mailbox on the thread that sent it the message. The kernel's
/// partitions own their threads; with this dispatcher a component actor runs on its partition's
/// thread inside the partition's Tell, where a thread-pool hop would cost 0.25–0.75 µs per component
/// per window (see ARCHITECTURE §3). Its actors get the lazily allocated <see cref="ComponentMailboxType"/>.
/// </summary>
public sealed class PartitionDispatcher : MessageDispatcher
{
    public const string ConfigPath = "virtcca.partition-dispatcher";

    /// <summary>Where a process's partition actor runs: a thread of its own, since a window blocks it.</summary>
    public const string NodeDispatcherPath = "virtcca.node-dispatcher";

    /// <summary>HOCON that registers the kernel's dispatchers; include it in every actor system that hosts components.</summary>
    public static readonly Config Configuration = ConfigurationFactory.ParseString($$"""
        virtcca.partition-dispatcher {
          type = "{{typeof(PartitionDispatcherConfigurator).AssemblyQualifiedName}}"
          throughput = 2147483647
          mailbox-type = "{{typeof(ComponentMailboxType).AssemblyQualifiedName}}"
        }
        virtcca.node-dispatcher {
          type = PinnedDispatcher
        }
        """);

    public PartitionDispatcher(MessageDispatcherConfigurator configurator) : base(configurator) { }

    protected override void ExecuteTask(IRunnable run) => run.Run();

    protected override void Shutdown() { }
}

public sealed class PartitionDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : MessageDispatcherConfigurator(config, prerequisites)
{
    public override MessageDispatcher Dispatcher() => new PartitionDispatcher(this);
}
