using System.Globalization;
using Akka.Configuration;

namespace VirtCca.Launcher.Tests;

/// <summary>Platforms that refuse what their hardware cannot run, every workload file in every configuration, and paper.conf at a reduced size.</summary>
public sealed class EvaluationTests
{
    private static string Platforms(string file) => Path.Combine(Paths.Root, "HOCON", "platforms", file);
    private static string WorkloadsDir => Path.Combine(Paths.Root, "HOCON", "workloads");

    [Fact]
    public void Virtcca_sel2_on_a_platform_without_s_el2_is_refused_naming_why()
    {
        var file = Runs.Write($"include \"{Platforms("kunpeng-64.conf")}\"\nmodel.type = machine\nmachine.configuration = virtcca-sel2\nmachine.program = [ {{ op = wfi }} ]");
        var r = Runs.Run(file);
        Assert.Equal(2, r.Code);
        Assert.Contains($"{file}:3: machine.configuration: virtcca-sel2 needs S-EL2 (FEAT_SEL2, Armv8.4), which platform kunpeng-64 (Armv8.2-A) does not have; " +
                        "it supports native, baseline, virtcca-el3 (platform.configurations)", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        // The same platform runs virtcca-el3, and a platform file chosen by setting refuses the same way.
        Assert.Equal(0, Runs.Run(file, "machine.configuration=virtcca-el3", "machine.program=[{op=compute,cycles=100}]").Code);
        var byFile = Runs.Run(Runs.Write(Runs.MachineHead + $"machine.platform-file = \"{Platforms("kunpeng-64.conf")}\"\nmachine.configuration = virtcca-sel2\nmachine.program = [ {{ op = wfi }} ]"));
        Assert.Contains("virtcca-sel2 needs S-EL2", byFile.Err);
    }

    [Fact]
    public void Bare_metal_is_the_machine_s_only_guest_and_a_workload_must_exist()
    {
        var file = Runs.Write(Runs.MachineHead + "machine.guests = [ { configuration = native, program = [ { op = wfi } ] }, { configuration = baseline, program = [ { op = wfi } ] } ]");
        Assert.Contains("native is bare metal: the program runs on the host itself, so it is the machine's only guest", Runs.Run(file).Err);
        var none = Runs.Run(Runs.Write(Runs.MachineHead + "machine.workload = kv-server"));
        Assert.Contains("machine.workload: no workload 'kv-server' (no workloads { } are defined; include a file of HOCON/workloads/)", none.Err);
    }

    private static readonly string[] IoWorkloads = ["kv-server", "web-server", "database", "block-storage", "network-stream"];

    [Fact]
    public void A_workload_with_a_client_guest_has_no_bare_metal_run()
    {
        var exp = Runs.Write($"include \"{Path.Combine(WorkloadsDir, "kv-server.conf")}\"\n" + Runs.MachineHead + "machine.workload = kv-server\nmachine.configuration = native\n");
        var r = Runs.Run(exp);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("machine.configuration: native is bare metal, the machine's only guest, but workload 'kv-server' runs a client guest beside it (workloads.kv-server.client)", r.Err);
    }

    /// <summary>Creation time against RAM size: the realm's RAM is all populated at creation, so four times the RAM takes its pages' RMI calls.</summary>
    [Fact]
    public void Realm_creation_takes_longer_with_more_ram()
    {
        (double Active, double Calls) Create(string workload)
        {
            var r = Runs.Run(Runs.Write($"include \"{Path.Combine(WorkloadsDir, "realm-creation.conf")}\"\n" + Runs.MachineHead +
                                        $"machine.workload = {workload}\nmachine.configuration = virtcca-sel2\nsim.engine = sequential\n"));
            Assert.True(r.Code == 0, r.Err);
            var m = r.Json!.Value.GetProperty("metrics");
            double M(string k) => m.GetProperty(k).GetDouble();
            // The run phase's breakdown (what the evaluation charges per request) leaves creation's RMI calls out, and adds up to the phase's busy time.
            Assert.Equal(M("phase.run_ps"), M("phase.run.guest_ps") + M("phase.run.kvm_ps") + M("phase.run.monitor_ps") + M("phase.run.tmm_ps"));
            Assert.Equal(M("time.guest_ps"), M("phase.run.guest_ps"));
            Assert.True(M("phase.run.tmm_ps") < M("time.tmm_ps") - M("phase.teardown_ps"), "creation's TMM time is not in the run phase");
            return (M($"guest.{workload}.realm.activated_ps"), M("tmm.rmi_calls"));
        }
        var (small, large) = (Create("realm-creation-4m"), Create("realm-creation-16m"));
        // 3,072 more pages, a GRANULE_DELEGATE and a DATA_CREATE_UNKNOWN each, and 18 calls for the six more
        // level-3 tables (16 MiB needs eight of 2 MiB, 4 MiB two).
        Assert.Equal(2 * 3072 + 18, large.Calls - small.Calls);
        Assert.True(large.Active > 3 * small.Active, $"{large.Active} against {small.Active}");
    }

    public static TheoryData<string, string, string> WorkloadRuns()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var file in Directory.GetFiles(WorkloadsDir, "*.conf").Order(StringComparer.Ordinal))
        {
            var c = ConfigurationFactory.ParseString(File.ReadAllText(file));
            foreach (var (name, value) in c.GetValue("workloads").GetObject().Items.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var only = value.GetObject().Items.TryGetValue("only", out var o) ? o.GetArray().Select(x => x.GetString()).ToArray() : null;
                foreach (var config in new[] { "native", "baseline", "virtcca-sel2", "virtcca-el3" })
                    if (only == null || only.Contains(config)) data.Add(Path.GetFileName(file), name, config);
            }
        }
        return data;
    }

    /// <summary>Every workload of every file of HOCON/workloads/ runs to its end in every configuration it allows, at a small scale.</summary>
    [Theory]
    [MemberData(nameof(WorkloadRuns))]
    public void Every_workload_file_loads_and_runs_in_each_configuration(string file, string workload, string configuration)
    {
        var exp = Runs.Write($"include \"{Path.Combine(WorkloadsDir, file)}\"\n" + Runs.MachineHead +
                             $"machine.workload = {workload}\nmachine.configuration = {configuration}\nmachine.scale = 0.02\nsim.engine = sequential\n");
        var r = Runs.Run(exp);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("ok", r.Status);
        var m = r.Json!.Value.GetProperty("metrics");
        bool creation = workload.StartsWith("realm-creation", StringComparison.Ordinal);
        Assert.True(creation ? m.GetProperty($"guest.{workload}.realm.activated_ps").GetDouble() > 0 : m.GetProperty("requests.count").GetDouble() > 0);
        // The I/O workloads go through their virtio devices: a realm's buffers bounce through SWIOTLB, a VM's and bare metal's do not.
        if (m.TryGetProperty($"guest.{workload}.io.swiotlb.copies", out var copies))
            Assert.Equal(configuration.StartsWith("virtcca", StringComparison.Ordinal), copies.GetDouble() > 0);
        else
            Assert.DoesNotContain(workload, IoWorkloads);
    }

    [Fact]
    public void A_row_reads_latency_buckets_or_the_percentiles_derived_from_them()
    {
        var w = new Evaluation.WorkloadInfo("w", "w", "macro", "latency", [], null, false);
        var run = new Evaluation.EvaluationRun(0, new Evaluation.EvaluationSetup("p.conf", new Composition.PlatformSettings(), []), SecureMonitor.PlatformConfiguration.Baseline, w, []);
        var h = new Devices.Load.LatencyHistogram();
        foreach (long ps in new long[] { 1_000, 1_000, 1_000, 5_000 }) h.Record(ps);
        var buckets = new Evaluation.EvaluationRow(run, "ok", "d", 1, 0, h.ToMetrics("requests").ToDictionary(kv => kv.Key, kv => kv.Value));
        // From buckets the extremes are the buckets' bounds: 5,000 ps reads as its bucket's highest value, 5,007 (within 0.2 %).
        Assert.Equal((2_000.0, 1_000.0, 5_007.0), (buckets.Value, buckets.Quantile(0.5), buckets.Quantile(0.99)));
        var derived = new Evaluation.EvaluationRow(run, "ok", "d", 1, 0, new Dictionary<string, double>
        {
            ["requests.count"] = 4, ["requests.mean_ps"] = 2_000, ["requests.p50_ps"] = 1_000, ["requests.p99_ps"] = 5_000, ["requests.p999_ps"] = 5_000, ["requests.max_ps"] = 5_000,
        });
        Assert.Equal((2_000.0, 1_000.0, 5_000.0), (derived.Value, derived.Quantile(0.5), derived.Quantile(0.99)));
    }

    [Fact]
    public void Paper_conf_at_a_reduced_size_produces_every_output_and_the_report_prints_summary_csv_s_numbers()
    {
        var dir = Paths.TempDir();
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Run.RunCommand.Execute(Paths.Experiment("paper.conf"), ["evaluation.scale=0.01"], dir, o, e);
        Assert.True(code == 0, e.ToString());
        foreach (var f in new[] { "summary.csv", "report.md", "overhead.png", "overhead.svg", "overhead-micro.png", "overhead-micro.svg", "breakdown.png", "breakdown.svg", "exits.png", "exits.svg",
                     "latency-cdf-kv-server.png", "latency-cdf-memory-random.png", "latency-cdf-kernel-build.svg" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Contains("evaluation digest: ", o.ToString());
        Assert.Contains("kv-server", o.ToString()); // the final table

        var csv = File.ReadAllLines(Path.Combine(dir, "summary.csv"));
        var head = csv[0].Split(',');
        int Col(string n) => Array.IndexOf(head, n);
        var report = File.ReadAllText(Path.Combine(dir, "report.md"));
        var table = report[report.IndexOf("## All runs", StringComparison.Ordinal)..].Split('\n').Skip(2).TakeWhile(l => l.StartsWith('|')).Skip(2).ToArray();
        Assert.Equal(csv.Length - 1, table.Length);
        Assert.Equal(7 * 19 - 4 * 4 - 4 * 2, csv.Length - 1); // 7 platform configurations x 19 workloads, less 4 realm-only workloads in 4 non-realm configurations and 4 client-server workloads on 2 bare metals
        for (int i = 1; i < csv.Length; i++)
        {
            var c = csv[i].Split(',');
            var cells = table[i - 1].Trim('|').Split('|').Select(x => x.Trim()).ToArray();
            Assert.Equal(c[Col("run")], cells[0]);
            Assert.Equal((c[Col("platform")], c[Col("configuration")], c[Col("workload")], c[Col("status")]), (cells[1], cells[2], cells[3], cells[4]));
            Assert.Equal("ok", cells[4]);
            Assert.Equal(c[Col("value_ns")], cells[5]);
            Assert.Equal(c[Col("p99_ns")], cells[6]);
            Assert.Equal(c[Col("overhead_vs_against_pct")], cells[7]);
            Assert.Equal(c[Col("overhead_vs_native_pct")], cells[8]);
            Assert.StartsWith(cells[9].Trim('`'), c[Col("digest")]);
        }
        // The result tables print the same strings: kunpeng-64's virtcca-el3 null hypercall, value and overhead.
        var el3 = csv.Skip(1).Select(l => l.Split(',')).Single(c => c[Col("platform")] == "kunpeng-64" && c[Col("configuration")] == "virtcca-el3" && c[Col("workload")] == "null-hypercall");
        Assert.Contains($"{el3[Col("value_ns")]} ({el3[Col("overhead_vs_against_pct")]})", report);
        // The VM's null hypercall is the measurement its cost comes from: 1,060 cycles at 2.6 GHz.
        var vm = csv.Skip(1).Select(l => l.Split(',')).Single(c => c[Col("platform")] == "kunpeng-64" && c[Col("configuration")] == "baseline" && c[Col("workload")] == "null-hypercall");
        Assert.Equal("407.7", vm[Col("value_ns")]);
        Assert.Contains("kvm.hvc-rt", report);                      // every platform cost with its source
        Assert.Contains("costs.md §1.3", report);
        Assert.Contains("virtcca run ", report);                    // the command
        Assert.Contains(o.ToString().Split("evaluation digest: ")[1].Trim().Split('\n')[0].Trim(), report); // the digest
        Assert.Equal(0.01, double.Parse(report.Split("Scale: ")[1].Split(' ')[0], CultureInfo.InvariantCulture));
    }
}
