using VirtCca.Launcher.Results;

namespace VirtCca.Launcher.Tests;

/// <summary>summary.csv's overhead columns: each run against the baseline run with its other settings, positive meaning worse.</summary>
public sealed class SweepOverheadTests
{
    [Fact]
    public void Each_run_is_compared_with_the_baseline_of_its_other_settings()
    {
        (string, string)[] Run(string config, string vcpus) => [("machine.configuration", config), ("machine.vcpus", vcpus)];
        var runs = new[] { Run("baseline", "2"), Run("baseline", "4"), Run("virtcca-sel2", "2"), Run("virtcca-sel2", "4"), Run("virtcca-el3", "4") };
        Assert.Equal([null, null, 0, 1, 1], SweepOverhead.Baselines(runs));
        Assert.Equal([null, null], SweepOverhead.Baselines([[("sim.threads", "1")], [("sim.threads", "2")]]));
    }

    [Fact]
    public void Throughput_lost_and_latency_gained_are_both_positive()
    {
        var baseline = new Dictionary<string, double> { ["load.total.per_s"] = 500_000, ["load.total.latency.p99_ps"] = 20_000_000, ["x"] = 0 };
        var realm = new Dictionary<string, double> { ["load.total.per_s"] = 350_000, ["load.total.latency.p99_ps"] = 30_000_000, ["x"] = 3 };
        Assert.Equal(0.3, SweepOverhead.Of("load.total.per_s", realm, baseline));
        Assert.Equal(0.5, SweepOverhead.Of("load.total.latency.p99_ps", realm, baseline));
        Assert.Null(SweepOverhead.Of("x", realm, baseline)); // nothing to compare against
    }

    [Fact]
    public void Guests_that_answer_load_are_left_to_the_load_totals()
    {
        var run = new Dictionary<string, double> { ["guest.s/kv.io.served"] = 10, ["guest.r/sink.io.served"] = 0 };
        string[] names = ["load.total.per_s", "load.total.latency.p99_ps", "load.total.latency.max_ps", "guest.s/kv.io.rx_bytes_per_s", "guest.r/sink.io.rx_bytes_per_s", "guest.r/sink.io.blk.latency.p999_ps"];
        Assert.Equal(["load.total.per_s", "load.total.latency.p99_ps", "guest.r/sink.io.rx_bytes_per_s", "guest.r/sink.io.blk.latency.p999_ps"], SweepOverhead.Compared(names, run));
    }
}
