using System.Diagnostics;
using System.Text.Json;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>Real Akka.Cluster runs on 127.0.0.1: the launcher starts `virtcca worker` processes itself.</summary>
[Collection("cluster")] // one cluster at a time on a 2-core machine
public sealed class ClusterTests
{
    private static string Result(string output) => output.Split('\n').Single(l => l.StartsWith("RESULT ")).Trim();

    [Fact]
    public void Two_processes_give_the_same_digest_and_events_as_one()
    {
        string[] common = ["sim.end-time=2 ms", "phold.population=32"];
        var one = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("quickstart.conf"), [.. common, "cluster.nodes=1"], Paths.TempDir(), one, new StringWriter()));
        var two = new StringWriter();
        var err = new StringWriter();
        var dir = Paths.TempDir();
        int code = RunCommand.Execute(Paths.Experiment("quickstart.conf"), [.. common, "cluster.nodes=2", "sim.threads=1"], dir, two, err);
        Assert.True(code == 0, $"exit {code}: {err}\n{two}");
        Assert.Equal(Result(one.ToString()).Split(' ')[1..3], Result(two.ToString()).Split(' ')[1..3]);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        Assert.Equal(2, json.RootElement.GetProperty("nodes").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("partitions").GetInt32());
    }

    /// <summary>
    /// A realm machine split over two processes: PEs, the TMM, KVM and the devices exchange their SMCs,
    /// traps and IPIs as Protobuf between nodes; the digest and every metric (summed over the nodes)
    /// equal the one-process run's.
    /// </summary>
    [Fact]
    public void A_realm_machine_on_two_processes_gives_the_one_process_digest_and_metrics()
    {
        string[] common = ["sim.end-time=3 ms"];
        var one = new StringWriter();
        var oneDir = Paths.TempDir();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("realm-smp.conf"), [.. common, "sim.engine=sequential"], oneDir, one, new StringWriter()));
        var two = new StringWriter();
        var err = new StringWriter();
        var twoDir = Paths.TempDir();
        int code = RunCommand.Execute(Paths.Experiment("realm-smp.conf"), [.. common, "cluster.nodes=2", "sim.threads=1"], twoDir, two, err);
        Assert.True(code == 0, $"exit {code}: {err}\n{two}");
        Assert.Equal(Result(one.ToString()).Split(' ')[1..3], Result(two.ToString()).Split(' ')[1..3]);

        static Dictionary<string, double> Metrics(string dir)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            return json.RootElement.GetProperty("metrics").EnumerateObject()
                .Where(p => p.Name != "exits_per_host_second") // host time
                .ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        var expected = Metrics(oneDir);
        Assert.True(expected["exits.total"] > 0 && expected["tmm.rmi_calls"] > 115);
        Assert.Equal(expected, Metrics(twoDir));

        // Cut at 3 ms, the run is truncated; where each vCPU program was comes from both nodes, as in one process.
        static (string?, string) Programs(string dir)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            return (json.RootElement.GetProperty("status").GetString(), json.RootElement.GetProperty("programs").GetRawText());
        }
        Assert.Equal("truncated", Programs(oneDir).Item1);
        Assert.Contains("\"unfinished\": 4", Programs(oneDir).Item2);
        Assert.Equal(Programs(oneDir), Programs(twoDir));
    }

    /// <summary>
    /// Workers by hand: with cluster.start-workers = off the launcher prints its address and waits;
    /// a `virtcca worker --seed-node ADDRESS` started separately joins and the run completes with
    /// the one-process digest.
    /// </summary>
    [Fact]
    public async Task A_worker_started_by_hand_joins_and_the_digest_matches()
    {
        string[] common = ["sim.end-time=1 ms", "phold.population=16"];
        var one = new StringWriter();
        Assert.Equal(0, RunCommand.Execute(Paths.Experiment("quickstart.conf"), [.. common], Paths.TempDir(), one, new StringWriter()));

        var output = new LineSignal("coordinator: ");
        var run = Task.Run(() => RunCommand.Execute(Paths.Experiment("quickstart.conf"),
            [.. common, "cluster.nodes=2", "cluster.start-workers=off", "cluster.join-timeout=60 s"], Paths.TempDir(), output, new StringWriter()));
        var address = (await output.Line.WaitAsync(TimeSpan.FromSeconds(60)))["coordinator: ".Length..].Trim();
        var psi = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "virtcca.dll"), "worker", "--seed-node", address, "--exit-with-stdin" })
            psi.ArgumentList.Add(a);
        using var worker = Process.Start(psi)!;
        try
        {
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(120)));
            Assert.Equal(Result(one.ToString()).Split(' ')[1], Result(output.ToString()).Split(' ')[1]);
        }
        finally
        {
            worker.StandardInput.Close();
            if (!worker.WaitForExit(TimeSpan.FromSeconds(20))) worker.Kill();
        }
    }

    /// <summary>A writer that completes <see cref="Line"/> with the first line starting with a prefix.</summary>
    private sealed class LineSignal(string prefix) : StringWriter
    {
        private readonly TaskCompletionSource<string> _line = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<string> Line => _line.Task;

        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
            if (value != null && value.StartsWith(prefix)) _line.TrySetResult(value);
        }

        public override string ToString() { lock (this) return base.ToString(); }
    }

    /// <summary>
    /// A worker killed mid-run: the launcher ends with exit code 1 and an error naming the node and
    /// the last completed window, within a bound (failure detection takes a few seconds), and the
    /// partial results stay readable.
    /// </summary>
    [Fact]
    public async Task A_killed_worker_ends_the_run_with_a_clear_error_in_bounded_time()
    {
        var dir = Paths.TempDir();
        var psi = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "virtcca.dll"), "run", Paths.Experiment("phold-2node.conf"),
                     "--set", "sim.end-time=10 s", "--set", "sim.progress-interval=1 ns", "--out", dir })
            psi.ArgumentList.Add(a);
        using var launcher = Process.Start(psi)!;
        var stderr = launcher.StandardError.ReadToEndAsync();
        int? workerPid = null;
        try
        {
            string? line;
            while ((line = launcher.StandardOutput.ReadLine()) != null)
            {
                if (line.StartsWith("worker process 1 started: pid ")) workerPid = int.Parse(line["worker process 1 started: pid ".Length..]);
                if (line.StartsWith("progress:") && workerPid != null) break; // windows are running
            }
            Assert.NotNull(line);
            Process.GetProcessById(workerPid!.Value).Kill();
            var killedAt = Stopwatch.StartNew();
            Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(60)), "the launcher did not end within 60 s of the kill");
            var err = await stderr;
            Assert.Equal(1, launcher.ExitCode);
            Assert.Contains("node 1 (akka.tcp://virtcca@127.0.0.1:", err);
            Assert.Contains("last completed window ", err);
            Assert.DoesNotContain("   at ", err);
            Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(60));
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
            Assert.True(json.RootElement.GetProperty("lastCompletedWindow").GetInt64() > 0);
        }
        finally
        {
            if (!launcher.HasExited) launcher.Kill(entireProcessTree: true);
            if (workerPid is { } pid) try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
        }
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
