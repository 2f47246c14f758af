using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>`sweep { }`: one run per combination, each an ordinary run, and a summary.csv with a row each.</summary>
public sealed class SweepTests
{
    private static string Write(string hocon)
    {
        var path = Path.Combine(Paths.TempDir(), "sweep.conf");
        File.WriteAllText(path, hocon.Replace("EXPERIMENTS", Path.GetDirectoryName(Paths.Experiment("quickstart.conf"))!.Replace("\\", "/")));
        return path;
    }

    private static string Digest(string file, params string[] sets)
    {
        var o = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(file, sets, Paths.TempDir(), o, new StringWriter()));
        return o.ToString().Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ')[1]["digest=".Length..];
    }

    [Fact]
    public void Every_combination_runs_last_key_fastest_and_the_summary_has_a_row_each()
    {
        var file = Write("""
            include "EXPERIMENTS/quickstart.conf"
            sim.end-time = 200 us
            sweep { "sim.seed" = [1, 2], "phold.population" = [8, 16] }
            """);
        var dir = Paths.TempDir();
        var o = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(file, [], dir, o, new StringWriter()));
        var rows = File.ReadAllLines(Path.Combine(dir, "summary.csv"));
        Assert.Equal("run,phold.population,sim.seed,status,unfinished_programs,sync,digest,events,simulated_ps,host_s", rows[0]);
        Assert.Equal(["0,8,1", "1,8,2", "2,16,1", "3,16,2"], rows.Skip(1).Select(r => string.Join(',', r.Split(',')[..3])));
        Assert.All(rows.Skip(1), r => Assert.Equal("ok", r.Split(',')[3]));
        Assert.All(rows.Skip(1), r => Assert.Equal("exact", r.Split(',')[5]));
        // Each row is exactly the run one would get by setting those values by hand.
        Assert.Equal(Digest(file, "sim.seed=2", "phold.population=16", "sweep=null"), rows[4].Split(',')[6]);
        Assert.NotEqual(rows[1].Split(',')[6], rows[2].Split(',')[6]);
        Assert.True(File.Exists(Path.Combine(dir, "run-003", "results.json")));
        Assert.False(File.Exists(Path.Combine(dir, "summary.png"))); // PHOLD has no time breakdown to draw
    }

    [Fact]
    public void A_machine_sweep_reports_each_configurations_metrics()
    {
        var dir = Paths.TempDir();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("realm-configurations.conf"), ["sim.end-time=2 ms"], dir, new StringWriter(), new StringWriter()));
        var rows = File.ReadAllLines(Path.Combine(dir, "summary.csv")).Select(r => r.Split(',')).ToArray();
        int monitor = Array.IndexOf(rows[0], "time.monitor_ps");
        Assert.True(monitor > 0);
        Assert.Equal(["baseline", "virtcca-sel2", "virtcca-el3"], rows.Skip(1).Select(r => r[1]));
        Assert.Equal("0", rows[1][monitor]);
        Assert.True(double.Parse(rows[2][monitor], System.Globalization.CultureInfo.InvariantCulture) > 0);
        // The picture of it: PNG and SVG.
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir, "summary.png"))[..4]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "summary.svg")));
    }

    /// <summary>A network swept over the configurations: each realm run's overhead columns are its load's loss and latency growth against the baseline row, and latency.png draws the percentiles.</summary>
    [Fact]
    public void A_network_sweep_reports_overheads_against_its_baseline_and_draws_latency()
    {
        var dir = Paths.TempDir();
        string machines = "machines=[ { name = server, guests = [ { name = kv, vcpus = 2, devices = [ { name = eth0, type = virtio-net, queues = vcpus } ], program = [ { op = serve, time = 2 us } ] } ] }, "
            + "{ name = client, load { connections = 8, requests = 200, start-at = 2 ms } } ]";
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("io-net.conf"), [machines], dir, new StringWriter(), new StringWriter()));
        var rows = File.ReadAllLines(Path.Combine(dir, "summary.csv")).Select(r => r.Split(',')).ToArray();
        double Cell(int row, string column) => double.Parse(rows[row][Array.IndexOf(rows[0], column)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["baseline", "virtcca-sel2", "virtcca-el3"], rows.Skip(1).Select(r => r[1]));
        Assert.Equal("", rows[1][Array.IndexOf(rows[0], "overhead.load.total.per_s")]);
        for (int r = 2; r <= 3; r++)
        {
            Assert.Equal(Math.Round(1 - Cell(r, "load.total.per_s") / Cell(1, "load.total.per_s"), 4), Cell(r, "overhead.load.total.per_s"));
            Assert.Equal(Math.Round(Cell(r, "load.total.latency.p99_ps") / Cell(1, "load.total.latency.p99_ps") - 1, 4), Cell(r, "overhead.load.total.latency.p99_ps"));
            Assert.True(Cell(r, "overhead.load.total.per_s") > 0); // a realm serves fewer requests a second than the VM
        }
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir, "latency.png"))[..4]);
    }

    [Theory]
    [InlineData("sweep { \"machine.configuratio\" = [baseline] }", "sweep.\"machine.configuratio\": is not a setting")]
    [InlineData("sweep { \"machine.configuration\" = [baseline, cca] }", "machine.configuration: 'cca' is not one of")]
    [InlineData("sweep { \"machine.vcpus\" = 4 }", "must be a list of values")]
    [InlineData("sweep { \"cluster.nodes\" = [1, 2] }", "cluster settings and the sweep itself cannot be swept")]
    public void A_bad_sweep_stops_before_any_run_naming_what_is_wrong(string sweep, string problem)
    {
        var file = Write($"include \"EXPERIMENTS/realm-smp.conf\"\n{sweep}");
        var dir = Paths.TempDir();
        var e = new StringWriter();
        Assert.Equal(2, RunCommand.Execute(file, [], dir, new StringWriter(), e));
        Assert.Contains(problem, e.ToString());
        Assert.False(Directory.Exists(Path.Combine(dir, "run-000")));
    }
}
