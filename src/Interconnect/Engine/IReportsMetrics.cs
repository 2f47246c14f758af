namespace VirtCca.Interconnect.Engine;

/// <summary>
/// A model that can say what its last run measured (beyond events and the digest): named numbers,
/// in a fixed order, read from the components this process ran. Every value must add up over
/// components (counts, summed times), because a distributed run sums each name over the nodes.
/// </summary>
public interface IReportsMetrics
{
    IReadOnlyList<KeyValuePair<string, double>> Metrics();
}
