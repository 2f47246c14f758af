using System.Text.Json;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

public sealed class RunTests
{
    [Fact]
    public void Quickstart_prints_the_result_line_and_writes_results_json()
    {
        var dir = Paths.TempDir();
        var o = new StringWriter();
        int code = RunCommand.Execute(Paths.Experiment("quickstart.conf"), ["sim.end-time=1 ms", "sim.threads=2"], dir, o, new StringWriter());
        Assert.Equal(0, code);
        var line = o.ToString().Split('\n').Single(l => l.StartsWith("RESULT "));
        Assert.Matches(@"^RESULT digest=[0-9a-f]{64} events=\d+ host_s=\d+\.\d{3} events_per_s=\d+\r?$", line);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var r = json.RootElement;
        Assert.Equal("ok", r.GetProperty("status").GetString());
        Assert.Equal(line.Split(' ')[1]["digest=".Length..], r.GetProperty("digest").GetString());
        Assert.True(r.GetProperty("events").GetInt64() > 1000);
        Assert.True(r.GetProperty("hostSeconds").GetDouble() > 0);
        Assert.True(r.GetProperty("simulatedPicoseconds").GetInt64() < 1_000_000_000);
        Assert.Equal("actors", r.GetProperty("engine").GetString());
        Assert.Equal(2, r.GetProperty("partitions").GetInt32());
        Assert.Equal("exact", r.GetProperty("sync").GetProperty("mode").GetString());
        Assert.Equal(1_000_000, r.GetProperty("sync").GetProperty("lookaheadPicoseconds").GetInt64());
        Assert.Equal(7, r.GetProperty("seed").GetInt64());
        Assert.Equal("1 ms", r.GetProperty("config").GetProperty("sim").GetProperty("end-time").GetString());
        Assert.Equal(16, r.GetProperty("config").GetProperty("phold").GetProperty("components").GetInt32());
    }

    [Fact]
    public void The_sequential_engine_gives_the_same_digest_through_the_launcher()
    {
        string Digest(params string[] sets)
        {
            var o = new StringWriter();
            Assert.Equal(0, RunCommand.Execute(Paths.Experiment("quickstart.conf"), sets, Paths.TempDir(), o, new StringWriter()));
            return o.ToString().Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ')[1];
        }
        var seq = Digest("sim.engine=sequential", "sim.end-time=1 ms");
        Assert.Equal(seq, Digest("sim.threads=1", "sim.end-time=1 ms"));
        Assert.Equal(seq, Digest("sim.threads=2", "sim.partitions=4", "sim.end-time=1 ms"));
    }

    /// <summary>
    /// Quickstart's PHOLD (1 us links, every component its own placement group) with a 5 us quantum:
    /// a message can land up to 4 us late. results.json and the console say so, and the shadow run
    /// sets the exact run's numbers against the lax ones.
    /// </summary>
    [Fact]
    public void A_lax_run_reports_its_bound_and_shifts_and_its_exact_shadow()
    {
        var dir = Paths.TempDir();
        var o = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("quickstart.conf"),
            ["sim.end-time=1 ms", "sim.quantum=5 us", "sim.lax-shadow=on"], dir, o, new StringWriter()));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var sync = json.RootElement.GetProperty("sync");
        Assert.Equal("lax", sync.GetProperty("mode").GetString());
        Assert.Equal(5_000_000, sync.GetProperty("quantumPicoseconds").GetInt64());
        Assert.Equal(4_000_000, sync.GetProperty("shiftBoundPicoseconds").GetInt64());
        Assert.InRange(sync.GetProperty("maxShiftPicoseconds").GetInt64(), 1, 4_000_000);
        Assert.True(sync.GetProperty("shiftedMessages").GetInt64() > 100);
        Assert.Contains("lax: results approximate", o.ToString());
        Assert.Contains("up to 4 us later than exact", o.ToString());

        var exact = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("quickstart.conf"), ["sim.end-time=1 ms"], Paths.TempDir(), exact, new StringWriter()));
        var exactResult = exact.ToString().Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ');
        var shadow = json.RootElement.GetProperty("laxShadow");
        Assert.Equal(exactResult[1]["digest=".Length..], shadow.GetProperty("exactDigest").GetString());
        var events = shadow.GetProperty("metrics").GetProperty("events");
        Assert.Equal(long.Parse(exactResult[2]["events=".Length..]), events.GetProperty("exact").GetInt64());
        Assert.Equal(json.RootElement.GetProperty("events").GetInt64(), events.GetProperty("lax").GetInt64());
        Assert.Equal(events.GetProperty("lax").GetDouble() - events.GetProperty("exact").GetDouble(), events.GetProperty("difference").GetDouble());
        Assert.Contains("lax-shadow: exact run digest=", o.ToString());
    }

    [Fact]
    public void Payloads_through_the_codec_on_every_event_give_the_same_digest_on_a_realm_machine()
    {
        string Digest(params string[] sets)
        {
            var o = new StringWriter();
            Assert.Equal(0, RunCommand.Execute(Paths.Experiment("realm-smp.conf"), ["sim.end-time=1 ms", .. sets], Paths.TempDir(), o, new StringWriter()));
            return o.ToString().Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ')[1];
        }
        Assert.Equal(Digest(), Digest("sim.payload-codec=always"));
        Assert.Equal(Digest("sim.engine=sequential"), Digest("sim.engine=sequential", "sim.payload-codec=always"));
    }
}
