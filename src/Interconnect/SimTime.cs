namespace VirtCca.Interconnect;

/// <summary>Simulated time, an integer count of picoseconds. Never derived from the host clock.</summary>
public readonly record struct SimTime(long Picoseconds) : IComparable<SimTime>
{
    public static readonly SimTime Zero = new(0);
    public static readonly SimTime MaxValue = new(long.MaxValue);

    public static SimTime FromNanoseconds(long ns) => new(checked(ns * 1_000));
    public static SimTime FromMicroseconds(long us) => new(checked(us * 1_000_000));

    /// <summary>Time taken by <paramref name="cycles"/> at <paramref name="hz"/>, rounded to the nearest picosecond.</summary>
    public static SimTime FromCycles(long cycles, long hz) => new(Scale(cycles, 1_000_000_000_000, hz));

    /// <summary>
    /// <paramref name="value"/> × <paramref name="multiplier"/> / <paramref name="divisor"/> rounded to the nearest
    /// integer, ties to even — exact in 128-bit integers (decimal arithmetic was a tenth of an exit's host time).
    /// </summary>
    public static long Scale(long value, long multiplier, long divisor)
    {
        if (divisor <= 0) throw new ArgumentOutOfRangeException(nameof(divisor), $"{divisor} must be positive");
        Int128 n = (Int128)value * multiplier;
        var (q, r) = Int128.DivRem(n, divisor);
        if (r < 0) { r += divisor; q -= 1; } // floor division, so that ties round the same way on both sides of zero
        Int128 twice = 2 * r;
        if (twice > divisor || (twice == divisor && !Int128.IsEvenInteger(q))) q += 1;
        return checked((long)q);
    }

    public int CompareTo(SimTime other) => Picoseconds.CompareTo(other.Picoseconds);
    public static bool operator <(SimTime a, SimTime b) => a.Picoseconds < b.Picoseconds;
    public static bool operator >(SimTime a, SimTime b) => a.Picoseconds > b.Picoseconds;
    public static bool operator <=(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds;
    public static bool operator >=(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds;
    public static SimTime operator +(SimTime a, SimTime b) => new(a.Picoseconds + b.Picoseconds);
    public static SimTime operator -(SimTime a, SimTime b) => new(a.Picoseconds - b.Picoseconds);

    public override string ToString() => $"{Picoseconds} ps";
}
