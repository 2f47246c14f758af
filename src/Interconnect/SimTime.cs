namespace VirtCca.Interconnect;

/// <summary>Simulated time, an integer count of picoseconds. Never derived from the host clock.</summary>
public readonly record struct SimTime(long Picoseconds) : IComparable<SimTime>
{
    public static readonly SimTime Zero = new(0);
    public static readonly SimTime MaxValue = new(long.MaxValue);

    public static SimTime FromNanoseconds(long ns) => new(checked(ns * 1_000));
    public static SimTime FromMicroseconds(long us) => new(checked(us * 1_000_000));

    /// <summary>Time taken by <paramref name="cycles"/> at <paramref name="hz"/>, rounded to the nearest picosecond.</summary>
    public static SimTime FromCycles(long cycles, long hz) =>
        new((long)Math.Round((decimal)cycles * 1_000_000_000_000m / hz, MidpointRounding.ToEven));

    public int CompareTo(SimTime other) => Picoseconds.CompareTo(other.Picoseconds);
    public static bool operator <(SimTime a, SimTime b) => a.Picoseconds < b.Picoseconds;
    public static bool operator >(SimTime a, SimTime b) => a.Picoseconds > b.Picoseconds;
    public static bool operator <=(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds;
    public static bool operator >=(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds;
    public static SimTime operator +(SimTime a, SimTime b) => new(a.Picoseconds + b.Picoseconds);
    public static SimTime operator -(SimTime a, SimTime b) => new(a.Picoseconds - b.Picoseconds);

    public override string ToString() => $"{Picoseconds} ps";
}
