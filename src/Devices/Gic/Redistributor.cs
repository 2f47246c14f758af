namespace VirtCca.Devices.Gic;

/// <summary>
/// One CPU's redistributor: its affinity and its banked SGIs (0–15) and PPIs (16–31). The CPU
/// interface's running-priority stack lives here too, since it is just as per-CPU and nothing else
/// reads it.
/// </summary>
public sealed class Redistributor
{
    public const int Banked = 32;
    private readonly InterruptState[] _banked;

    public Redistributor(Affinity affinity)
    {
        Affinity = affinity;
        _banked = Enumerable.Range(0, Banked).Select(_ => new InterruptState(PendingBanked)).ToArray();
    }

    /// <summary>How many of this CPU's SGIs and PPIs are pending.</summary>
    public PendingCount PendingBanked { get; } = new();

    public Affinity Affinity { get; }

    /// <summary>Active interrupts, most recent on top, with the priority each runs at.</summary>
    public Stack<(int Intid, byte Priority)> Running { get; } = new();

    /// <summary>The running priority: nothing at or below it (numerically at or above) is signalled.</summary>
    public byte RunningPriority => Running.Count > 0 ? Running.Peek().Priority : (byte)0xFF;

    public InterruptState State(int intid) => intid is >= 0 and < Banked ? _banked[intid]
        : throw new ArgumentOutOfRangeException(nameof(intid), $"INTID {intid} is not an SGI or PPI");
}
