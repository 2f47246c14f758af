using System.Text.Json;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>The machine model through `virtcca run`: a realm created and run from HOCON, its metrics, its errors.</summary>
public sealed class MachineRunTests
{
    private static (int Code, string Out, string Err, JsonDocument? Json) Run(string file, params string[] sets)
    {
        var dir = Paths.TempDir();
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RunCommand.Execute(file, sets, dir, o, e);
        var json = File.Exists(Path.Combine(dir, "results.json")) ? JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))) : null;
        return (code, o.ToString(), e.ToString(), json);
    }

    private static string Digest(string output) => output.Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ')[1];

    [Fact]
    public void The_smp_realm_runs_the_same_on_both_engines_and_reports_its_exits_and_time_breakdown()
    {
        var file = Paths.Experiment("realm-smp.conf");
        var actors = Run(file, "sim.threads=2");
        var sequential = Run(file, "sim.engine=sequential");
        Assert.Equal(0, actors.Code);
        Assert.Equal(Digest(sequential.Out), Digest(actors.Out));

        var m = actors.Json!.RootElement.GetProperty("metrics");
        double M(string name) => m.GetProperty(name).GetDouble();
        // 4 vCPUs x 200 laps: an SGI write and a host call each, one MMIO doorbell per lap on vCPU 0.
        Assert.Equal(800, M("exits.sgi_write"));
        Assert.Equal(800, M("exits.host_call"));
        Assert.Equal(200, M("exits.mmio"));
        Assert.Equal(800, M("interrupts_taken"));
        Assert.Equal(M("exits.total"), M("tmm.realm_exits"));
        // The realm's creation (4 vCPUs, 16 auxiliary granules each, RTTs created where RTT_INIT_RIPAS stops: 118 calls),
        // 3 PSCI_COMPLETEs (vCPU 0 starts the others, machine.boot = psci), and after vCPU 0's SYSTEM_OFF its destruction (113 calls).
        Assert.Equal(118 + 3 + 113, M("tmm.rmi_calls"));
        Assert.Equal((118, 113), (M("guest.guest0.realm.creation_calls"), M("guest.guest0.realm.destruction_calls")));
        Assert.Equal(3 + 1, M("exits.psci")); // the CPU_ONs and the SYSTEM_OFF
        Assert.True(M("guest.guest0.realm.destroyed_ps") > M("guest.guest0.stopped_ps") && M("guest.guest0.stopped_ps") > M("guest.guest0.realm.activated_ps"));
        Assert.Equal(M("tmm.rmi_calls"), M("host_smcs"));
        Assert.True(M("guest.guest0.realm.activated_ps") > 0);
        Assert.True(M("phase.creation_ps") > 0 && M("phase.teardown_ps") > 0);
        double total = M("time.guest_ps") + M("time.kvm_ps") + M("time.monitor_ps") + M("time.tmm_ps") + M("time.idle_ps");
        Assert.True(M("time.monitor_ps") > 0 && M("time.tmm_ps") > 0);
        Assert.True(total > 4 * 200 * 10e6, $"{total} ps over 4 PEs"); // at least the guests' own compute
        Assert.Contains("exits.total", actors.Out);
    }

    [Fact]
    public void The_baseline_of_the_same_workload_never_reaches_a_tmm()
    {
        var (code, _, _, json) = Run(Paths.Experiment("realm-smp.conf"), "machine.configuration=baseline", "sim.engine=sequential");
        Assert.Equal(0, code);
        var m = json!.RootElement.GetProperty("metrics");
        Assert.False(m.TryGetProperty("tmm.realm_exits", out _));
        Assert.Equal(0, m.GetProperty("time.monitor_ps").GetDouble());
        Assert.Equal(2604, m.GetProperty("exits.total").GetDouble());
        Assert.Equal(3 + 1, m.GetProperty("exits.psci").GetDouble()); // the CPU_ONs and the SYSTEM_OFF
    }

    [Theory]
    [InlineData("model.type = machine", "platform:", "needs a platform { } block")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.vcpus = 2\nmachine.programs = [[{op = wfi}]]", "machine.programs:", "1 programs for machine.vcpus = 2")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.program = [{op = jump}]", "exp.conf:3: machine.program[0].op:", "unknown op 'jump'")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.configuration = cca", "machine.configuration:", "not one of: native, baseline, virtcca-sel2, virtcca-el3")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.realm.ram-page = 3", "machine.realm.ram-page:", "did you mean machine.realm.ram-pages")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.vcpus = 8\nmachine.program = [{op = wfi}]\nmachine.realm.ram-pages = 4\nmachine.realm.image-pages = 4", "machine.realm:", "leaves no room for 8 host-call blocks")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.program = [{op = wfi}]\nmachine.placement = per-core", "exp.conf:4: machine.placement:", "not one of: machine, guest")]
    [InlineData("include \"PLATFORM\"\nmodel.type = machine\nmachine.program = [{op = wfi}]\nplatform.pes = 2000000", "platform.pes:", "outside 1..1048576")]
    public void A_bad_machine_setting_is_a_clear_error_naming_its_key(string hocon, string key, string problem)
    {
        var path = Path.Combine(Paths.TempDir(), "exp.conf");
        File.WriteAllText(path, hocon.Replace("PLATFORM", Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Paths.Experiment("quickstart.conf"))!, "../platforms/neoverse-n2.conf"))));
        var (code, _, err, _) = Run(path);
        Assert.Equal(2, code);
        Assert.Contains(key, err);
        Assert.Contains(problem, err);
        Assert.DoesNotContain("   at ", err);
    }
}
