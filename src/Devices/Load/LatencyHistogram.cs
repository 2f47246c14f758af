using System.Numerics;

namespace VirtCca.Devices.Load;

/// <summary>
/// Request latencies in picoseconds, in fixed log-linear buckets (HdrHistogram's layout with 1024
/// sub-buckets: values below 1024 exact, others within 0.2 %). Percentiles are nearest-rank over the
/// buckets, reported as the bucket's highest value clamped to the exact minimum and maximum, so the
/// result depends only on the values recorded, never on their order. Histograms add up (per server
/// into a total, per node into a run).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 10, Half = 1 << (SubBits - 1);
    private readonly SortedDictionary<int, long> _buckets = new();

    public long Count { get; private set; }
    public long Min { get; private set; } = long.MaxValue;
    public long Max { get; private set; }
    public decimal Sum { get; private set; }
    public double Mean => Count == 0 ? 0 : (double)(Sum / Count);

    public void Record(long picoseconds)
    {
        if (picoseconds < 0) throw new ArgumentOutOfRangeException(nameof(picoseconds), "a latency cannot be negative");
        int b = Bucket(picoseconds);
        _buckets[b] = _buckets.GetValueOrDefault(b) + 1;
        Count++;
        Sum += picoseconds;
        if (picoseconds < Min) Min = picoseconds;
        if (picoseconds > Max) Max = picoseconds;
    }

    public void Add(LatencyHistogram other)
    {
        foreach (var (b, n) in other._buckets) _buckets[b] = _buckets.GetValueOrDefault(b) + n;
        Count += other.Count;
        Sum += other.Sum;
        if (other.Count > 0) { Min = Math.Min(Min, other.Min); Max = Math.Max(Max, other.Max); }
    }

    /// <summary>The <paramref name="quantile"/> (0 &lt; q ≤ 1) by nearest rank; 0 when empty.</summary>
    public long Percentile(double quantile)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        foreach (var (b, n) in _buckets)
        {
            seen += n;
            if (seen >= rank) return Math.Clamp(HighestIn(b), Min, Max);
        }
        return Max;
    }

    /// <summary>
    /// The histogram as metrics that add up when a distributed run sums them per node: the count, the
    /// sum in picoseconds, and one count per non-empty bucket (<c>{prefix}.bucket.{index}</c>).
    /// Percentiles do not add up; rebuild the histogram from the summed metrics (<see cref="FromMetrics"/>).
    /// </summary>
    public IEnumerable<KeyValuePair<string, double>> ToMetrics(string prefix)
    {
        yield return new($"{prefix}.count", Count);
        yield return new($"{prefix}.sum_ps", (double)Sum);
        foreach (var (b, n) in _buckets) yield return new($"{prefix}.bucket.{b}", n);
    }

    /// <summary>A histogram from (summed) <see cref="ToMetrics"/> output; its extremes are its outer buckets' bounds.</summary>
    public static LatencyHistogram FromMetrics(string prefix, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        var h = new LatencyHistogram();
        string bucket = prefix + ".bucket.";
        foreach (var (key, value) in metrics)
        {
            if (key == prefix + ".sum_ps") h.Sum = (decimal)value;
            else if (key.StartsWith(bucket, StringComparison.Ordinal) && int.TryParse(key.AsSpan(bucket.Length), out int b) && value > 0)
            {
                h._buckets[b] = h._buckets.GetValueOrDefault(b) + (long)value;
                h.Count += (long)value;
            }
        }
        if (h.Count > 0) { h.Min = LowestIn(h._buckets.Keys.First()); h.Max = HighestIn(h._buckets.Keys.Last()); }
        return h;
    }

    /// <summary>The value a latency is reported as when it is the percentile (its bucket's highest value).</summary>
    public static long Quantize(long picoseconds) => HighestIn(Bucket(picoseconds));

    private static int Bucket(long v)
    {
        if (v < 2 * Half) return (int)v;
        int shift = 63 - BitOperations.LeadingZeroCount((ulong)v) - (SubBits - 1);
        return shift * Half + (int)(v >> shift);
    }

    private static long LowestIn(int bucket) => bucket < 2 * Half ? bucket : (long)(bucket - (bucket / Half - 1) * Half) << (bucket / Half - 1);

    private static long HighestIn(int bucket)
    {
        if (bucket < 2 * Half) return bucket;
        int shift = bucket / Half - 1;
        long mantissa = bucket - shift * Half;
        return (mantissa << shift) + (1L << shift) - 1;
    }
}
