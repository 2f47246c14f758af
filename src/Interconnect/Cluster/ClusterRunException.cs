namespace VirtCca.Interconnect.Cluster;

/// <summary>A distributed run that could not finish (a node lost, failed or silent). Carries what was completed.</summary>
public sealed class ClusterRunException(string message, RunResult partial, long lastCompletedWindow)
    : SimulationException(message)
{
    public RunResult Partial { get; } = partial;
    public long LastCompletedWindow { get; } = lastCompletedWindow;
}
