namespace VirtCca.Interconnect.Engine;

/// <summary>
/// A model that can say what its last run in this process measured (beyond events and the digest):
/// named numbers, in a fixed order, read from its components after the run.
/// </summary>
public interface IReportsMetrics
{
    IReadOnlyList<KeyValuePair<string, double>> Metrics();
}
