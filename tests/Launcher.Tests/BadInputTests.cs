using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Tests;

/// <summary>Issue 8 item 9: input that used to run something else, or crash inside the run, is refused before anything runs.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# a comment and nothing else\n")]
    [InlineData("sim.seed = 3\nsim.end-time = 1 ms")]
    public void A_file_that_defines_no_model_says_model_type_is_missing_instead_of_running_phold(string hocon)
    {
        var file = Runs.Write(hocon);
        var r = Runs.Run(file);
        Assert.Equal(2, r.Code);
        Assert.Contains($"error: {file}: model.type: missing", r.Err);
        Assert.DoesNotContain("RESULT", r.Out);
        Assert.Null(r.Json);
    }

    [Fact]
    public void Phold_without_an_end_time_is_refused_since_it_never_ends()
    {
        var r = Runs.Run(Runs.Write("model.type = phold"));
        Assert.Equal(2, r.Code);
        Assert.Contains("sim.end-time: PHOLD never ends by itself", r.Err);
    }

    [Theory]
    [InlineData("include required(\"missing.conf\")")]
    [InlineData("include file(\"missing.conf\")")]
    [InlineData("include required(file(\"missing.conf\"))")]
    [InlineData("include \"missing.conf\"")]
    public void Every_form_of_a_missing_include_fails_like_the_plain_one(string include)
    {
        var r = Runs.Run(Runs.Write($"model.type = phold\n{include}"));
        Assert.Equal(2, r.Code);
        Assert.Contains("include \"missing.conf\"", r.Err);
        Assert.Contains("file not found", r.Err);
    }

    [Fact]
    public void A_required_include_that_exists_is_read()
    {
        var dir = Paths.TempDir();
        Runs.Write("phold.components = 8", "base.conf", dir);
        Runs.Write("sim.seed = 5", "more.conf", dir);
        var file = Runs.Write("include required(\"base.conf\")\ninclude file(\"more.conf\")\nmodel.type = phold", dir: dir);
        var loaded = ConfigLoader.Load(file, Array.Empty<string>());
        Assert.Equal((8, 5), (loaded.Config.GetInt("phold.components"), loaded.Config.GetInt("sim.seed")));
        var r = Runs.Run(Runs.Write("include url(\"http://example.org/x.conf\")"));
        Assert.Equal(2, r.Code);
        Assert.Contains("exp.conf:1: include url(…): only file includes are supported", r.Err);
    }

    [Theory]
    // A send-ipi to a vCPU the guest does not have used to crash inside the run with an index error.
    [InlineData("machine.programs = [\n  [ { op = send-ipi, target = 99 } ]\n  [ { op = wfi } ]\n]",
        "exp.conf:4: machine.programs[0][0].target: vCPU 99 does not exist: the guest has 2 vCPUs (0..1)")]
    [InlineData("machine.vcpus = 2\nmachine.program = [\n  { op = loop, count = 2, body = [\n    { op = hypercall }\n    { op = psci-cpu-on, target = 2 } ] } ]",
        "exp.conf:7: machine.program[0].body[1].target: vCPU 2 does not exist: the guest has 2 vCPUs (0..1)")]
    [InlineData("machine.guests = [ { vcpus = 1\n  program = [ { op = psci-affinity-info, target = 1 } ] } ]",
        "exp.conf:4: machine.guests[0].program[0].target: vCPU 1 does not exist: the guest has 1 vCPU (only 0)")]
    [InlineData("machine.guests = [ { vcpus = 2, program = [ { op = wfi } ]\n  pes = [0, 70] } ]",
        "exp.conf:4: machine.guests[0].pes[1]: PE 70 does not exist: the machine has 2 PEs (0..1; machine.pes)")]
    [InlineData("machine.pes = 4\nmachine.guests = [ { vcpus = 2, program = [ { op = wfi } ], pes = [4, 0] } ]",
        "exp.conf:4: machine.guests[0].pes[0]: PE 4 does not exist: the machine has 4 PEs (0..3; machine.pes)")]
    public void Every_vcpu_and_pe_a_program_names_is_checked_before_the_run_naming_where(string machine, string error)
    {
        var r = Runs.Run(Runs.Write(Runs.MachineHead + machine));
        Assert.Equal(2, r.Code);
        Assert.Contains(error, r.Err);
        Assert.Null(r.Json);
    }

    [Fact]
    public void A_program_beside_a_non_empty_programs_is_ambiguous()
    {
        var r = Runs.Run(Runs.Write(Runs.MachineHead + "machine.programs = [ [ { op = wfi } ] ]\nmachine.program = [ { op = hypercall } ]"));
        Assert.Equal(2, r.Code);
        Assert.Contains("exp.conf:4: machine.program: set together with machine.programs: give one of them", r.Err);
        // An empty programs list is no conflict: program is the guest's.
        var spec = Runs.Spec(Runs.Write(Runs.MachineHead + "machine.programs = []\nmachine.program = [ { op = hypercall } ]"));
        Assert.Equal([new VirtCca.Cores.Workloads.Hypercall()], spec.Guests.Single().Programs.Single());
    }

    [Fact]
    public void A_machine_without_a_program_says_so_instead_of_running_a_default()
    {
        var r = Runs.Run(Runs.Write(Runs.MachineHead + "machine.vcpus = 2"));
        Assert.Equal(2, r.Code);
        Assert.Contains("machine.program: missing: give the guest's program", r.Err);
    }
}
