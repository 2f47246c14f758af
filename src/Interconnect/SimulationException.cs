namespace VirtCca.Interconnect;

/// <summary>A simulation that cannot go on: a model or topology error, or a lost node. The message is for the user.</summary>
public class SimulationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A topology that breaks the kernel's rules (for example a link shorter than the lookahead).</summary>
public sealed class TopologyException(string message) : SimulationException(message);
