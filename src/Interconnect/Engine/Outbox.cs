namespace VirtCca.Interconnect.Engine;

/// <summary>Events one partition produced in one window for one other partition, with their earliest time.</summary>
internal sealed class Outbox
{
    public readonly List<SimEvent> Events = new();
    public long MinTime = long.MaxValue;

    public void Add(in SimEvent e)
    {
        Events.Add(e);
        if (e.Time < MinTime) MinTime = e.Time;
    }

    public void Clear()
    {
        Events.Clear();
        MinTime = long.MaxValue;
    }
}
