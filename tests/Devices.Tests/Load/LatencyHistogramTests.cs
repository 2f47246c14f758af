using VirtCca.Devices.Load;

namespace VirtCca.Devices.Tests.Load;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Small_values_are_exact_and_large_ones_within_a_fifth_of_a_percent()
    {
        Assert.Equal(1023, LatencyHistogram.Quantize(1023));
        long v = 7_930_561;
        long q = LatencyHistogram.Quantize(v);
        Assert.InRange(q, v, v + v / 500);
        Assert.Equal(q, LatencyHistogram.Quantize(q));              // a bucket's highest value is in the bucket
        Assert.NotEqual(q, LatencyHistogram.Quantize(q + 1));
    }

    [Fact]
    public void Percentiles_are_nearest_rank_and_independent_of_order()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int i = 1; i <= 1000; i++) { a.Record(i); b.Record(1001 - i); }
        Assert.Equal((500L, 990L, 999L, 1000L), (a.Percentile(0.5), a.Percentile(0.99), a.Percentile(0.999), a.Percentile(1)));
        Assert.Equal(a.Percentile(0.99), b.Percentile(0.99));
        Assert.Equal(500.5, a.Mean);
    }

    [Fact]
    public void Histograms_add_up_and_clamp_to_the_exact_extremes()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(5_000_000);
        b.Record(9_000_001);
        a.Add(b);
        Assert.Equal(2, a.Count);
        Assert.Equal(LatencyHistogram.Quantize(5_000_000), a.Percentile(0.5));
        Assert.Equal(5_005_311, LatencyHistogram.Quantize(5_000_000));
        Assert.Equal(9_000_001, a.Percentile(0.999));               // the top bucket is clamped to the exact maximum
        var one = new LatencyHistogram();
        one.Record(5_000_000);
        Assert.Equal(5_000_000, one.Percentile(0.5));               // and a lone value is exact
        Assert.Equal(0, new LatencyHistogram().Percentile(0.5));
    }

    [Fact]
    public void Summed_metrics_of_two_nodes_rebuild_the_merged_histogram()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        for (int i = 0; i < 900; i++) a.Record(10_000_000 + i * 1_000);
        for (int i = 0; i < 100; i++) b.Record(50_000_000 + i * 1_000);
        var summed = a.ToMetrics("lat").Concat(b.ToMetrics("lat")).GroupBy(m => m.Key).Select(g => new KeyValuePair<string, double>(g.Key, g.Sum(m => m.Value)));
        var rebuilt = LatencyHistogram.FromMetrics("lat", summed);
        var merged = new LatencyHistogram();
        merged.Add(a);
        merged.Add(b);
        Assert.Equal(1000, rebuilt.Count);
        Assert.Equal(merged.Mean, rebuilt.Mean);
        Assert.Equal(merged.Percentile(0.5), rebuilt.Percentile(0.5));
        // Without the exact maximum, the top bucket reports its highest value: within 0.2 %.
        Assert.Equal(50_099_000, merged.Percentile(0.99));
        Assert.Equal(LatencyHistogram.Quantize(50_099_000), rebuilt.Percentile(0.99));
        Assert.InRange(rebuilt.Percentile(0.999), 50_099_000, 50_099_000 + 50_099_000 / 500);
    }
}
