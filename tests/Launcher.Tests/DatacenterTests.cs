using System.Text.Json;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>
/// datacenter.conf, shrunk with --set to two servers (two realms and a VM each) and two clients: the
/// sequential engine, the actor engine on 1 and 2 threads, and two processes give one digest and the
/// same metrics, and every request is answered.
/// </summary>
[Collection("cluster")] // one cluster at a time on a 2-core machine
public sealed class DatacenterTests
{
    private const string Guest = "vcpus = 2, devices = [ { name = eth0, type = virtio-net, queues = vcpus } ], program = [ { op = serve, time = 3 us } ]";

    private static readonly string[] Small =
    [
        "sweep=null",
        "machines=[ { name = server, count = 2, guests = [ "
            + $"{{ name = kv-a, {Guest} }}, {{ name = kv-b, {Guest} }}, {{ name = kv-vm, configuration = baseline, {Guest} }} ] }}, "
            + "{ name = client, count = 2, load { mode = closed, connections = 12, requests = 150, response-bytes = 256, start-at = 2 ms } } ]",
    ];

    private static (string Digest, Dictionary<string, double> Metrics) Run(params string[] sets)
    {
        var dir = Paths.TempDir();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RunCommand.Execute(Paths.Experiment("datacenter.conf"), [.. Small, .. sets], dir, output, error);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var metrics = json.RootElement.GetProperty("metrics").EnumerateObject()
            .Where(p => !p.Name.Contains("per_host_second", StringComparison.Ordinal)) // host time
            .ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return (json.RootElement.GetProperty("digest").GetString()!, metrics);
    }

    [Fact]
    public void Datacenter_gives_one_digest_on_every_engine_thread_count_and_process_count()
    {
        var sequential = Run("sim.engine=sequential");
        Assert.Equal(300, sequential.Metrics["load.total.completed"]);
        // Each client's connections go two to each of the 6 server guests, 4 of them realms; the VMs answer
        // sooner, so their connections take more than a third of the clients' budgets.
        Assert.Equal(300, sequential.Metrics["load.realm.completed"] + sequential.Metrics["load.vm.completed"]);
        Assert.InRange(sequential.Metrics["load.vm.completed"], 101, 150);
        foreach (var sets in new[] { new[] { "sim.engine=actors", "sim.threads=1" }, ["sim.engine=actors", "sim.threads=2"], ["cluster.nodes=2", "sim.threads=1"] })
        {
            var other = Run(sets);
            Assert.Equal(sequential.Digest, other.Digest);
            Assert.Equal(sequential.Metrics, other.Metrics);
        }
    }
}

/// <summary>A load generator aimed at a guest that never answers is refused before anything runs.</summary>
public sealed class NetworkLoadErrorTests
{
    [Fact]
    public void A_load_aimed_at_a_guest_without_serve_is_an_error_naming_the_load_and_the_guest()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var text = File.ReadAllText(Paths.Experiment("io-net.conf"))
            .Replace("\"../platforms/kunpeng-64.conf\"", $"\"{Runs.Platform}\"").Replace("servers = [\"server/kv\"]", "servers = [\"receiver/sink\"]");
        int code = RunCommand.Execute(Runs.Write(text), ["sweep=null"], Paths.TempDir(), o, e);
        Assert.Equal(2, code);
        Assert.Contains("receiver/sink does not serve on eth0", e.ToString());
        Assert.DoesNotContain("   at ", e.ToString());
    }

    [Fact]
    public void All_servers_means_the_guests_that_serve()
    {
        var text = File.ReadAllText(Paths.Experiment("io-net.conf"))
            .Replace("\"../platforms/kunpeng-64.conf\"", $"\"{Runs.Platform}\"").Replace("requests = 20000, ", "requests = 100, ");
        var named = Runs.Run(Runs.Write(text), "sweep=null", "sim.end-time=5 ms");
        var all = Runs.Run(Runs.Write(text.Replace("servers = [\"server/kv\"]", "servers = all")), "sweep=null", "sim.end-time=5 ms");
        Assert.Equal((0, 0), (named.Code, all.Code));
        Assert.Equal(named.Digest, all.Digest); // the stream's sender and receiver are stations, but serve nothing
    }
}
