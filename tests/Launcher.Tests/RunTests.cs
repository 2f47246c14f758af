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
}
