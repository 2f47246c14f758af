using Akka.Actor;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Interconnect;

/// <summary>Run every event of this component due before <see cref="End"/> (picoseconds). One per active component per window.</summary>
public sealed record RunWindow(long End);

/// <summary>
/// The actor shell of one component: it owns the component's host (events, state, digest) and runs
/// its window when its partition tells it to. It is placed on the partition dispatcher, so the Tell
/// from the partition runs it on the partition's own thread with no hop.
/// </summary>
internal sealed class ComponentActor : ReceiveActor
{
    public ComponentActor(ComponentHost host)
    {
        // A model error must stop the run, not be swallowed by supervision and restart the actor.
        Receive<RunWindow>(w =>
        {
            try { host.RunUntil(w.End); }
            catch (Exception e) { host.Failure = e; }
        });
    }

    public static Props PropsFor(ComponentHost host) =>
        Props.Create(() => new ComponentActor(host)).WithDispatcher(PartitionDispatcher.ConfigPath);
}
