using System.Text.Json;

namespace VirtCca.Launcher.Tests;

/// <summary>Issue 13: a machine run ends when its programs do; one cut by sim.end-time, or one that ran dry first, says so.</summary>
public sealed class RunStatusTests
{
    /// <summary>One baseline vCPU computing 10 x 10 us: no exits, so its operations retire at exact multiples of 10 us.</summary>
    private static string TenLaps(string extra = "") => Runs.Write(Runs.MachineHead + $$"""
        machine.configuration = baseline
        machine.program = [ { op = loop, count = 10, body = [ { op = compute, time = 10 us } ] } ]
        {{extra}}
        """);

    private static JsonElement Programs(Runs.Outcome r) => r.Json!.Value.GetProperty("programs");

    [Fact]
    public void Without_an_end_time_a_machine_run_ends_when_its_programs_have_ended()
    {
        var r = Runs.Run(TenLaps(), "sim.engine=sequential");
        Assert.Equal((0, "ok"), (r.Code, r.Status));
        Assert.Equal(100_000_000, r.Json!.Value.GetProperty("simulatedPicoseconds").GetInt64());
        Assert.Equal(JsonValueKind.Null, r.Json.Value.GetProperty("endTimePicoseconds").ValueKind);
        Assert.Equal((1, 0), (Programs(r).GetProperty("vcpus").GetInt32(), Programs(r).GetProperty("unfinished").GetInt32()));
        Assert.DoesNotContain("status:", r.Out);
    }

    [Fact]
    public void A_run_cut_by_the_end_time_is_truncated_and_says_where_each_program_was()
    {
        var r = Runs.Run(TenLaps(), "sim.end-time=35 us");
        Assert.Equal((0, "truncated"), (r.Code, r.Status));
        Assert.Contains("status: truncated at sim.end-time = 35 us with events still to come; 1 of 1 vCPU programs had not ended", r.Out);
        Assert.Contains("  guest0 vCPU 0: at [0].body[0] (compute), iteration 4 of 10; 3 operations retired", r.Out);
        var where = Programs(r).GetProperty("where").EnumerateArray().Single();
        Assert.Equal(("guest0", 0, "compute", "[0].body[0]", "4/10", 3L),
            (where.GetProperty("guest").GetString(), where.GetProperty("vcpu").GetInt32(), where.GetProperty("op").GetString(),
             where.GetProperty("at").GetString(), where.GetProperty("loops")[0].GetString(), where.GetProperty("opsRetired").GetInt64()));
        Assert.Equal(35_000_000, r.Json!.Value.GetProperty("endTimePicoseconds").GetInt64());
        // A limit past the programs' end changes nothing: the run is ok and ends at 100 us.
        var later = Runs.Run(TenLaps(), "sim.end-time=1 s");
        Assert.Equal(("ok", 100_000_000L), (later.Status, later.Json!.Value.GetProperty("simulatedPicoseconds").GetInt64()));
    }

    [Fact]
    public void A_run_that_runs_dry_with_programs_unfinished_is_stalled_not_ok()
    {
        // vCPU 1 waits for an interrupt nobody sends.
        var file = Runs.Write(Runs.MachineHead + """
            machine.configuration = baseline
            machine.vcpus = 2
            machine.programs = { all = [ { op = compute, time = 20 us }, { op = wait-interrupt } ], 0 = [ { op = compute, time = 20 us } ] }
            """);
        foreach (var engine in new[] { "sequential", "actors" })
        {
            var r = Runs.Run(file, $"sim.engine={engine}", "sim.end-time=1 s");
            Assert.Equal((1, "stalled"), (r.Code, r.Status));
            Assert.Contains("status: stalled at ", r.Out);
            Assert.Contains("nothing was left to happen, but 1 of 2 vCPU programs had not ended", r.Out);
            Assert.Contains("  guest0 vCPU 1: at [1] (wait-interrupt); 1 operations retired", r.Out);
            Assert.Equal(1, Programs(r).GetProperty("unfinished").GetInt32());
        }
    }

    [Fact]
    public void A_guest_that_powers_off_has_finished_even_with_a_vcpu_still_waiting()
    {
        var file = Runs.Write(Runs.MachineHead + """
            machine.configuration = baseline
            machine.vcpus = 2
            machine.programs = { all = [ { op = loop, count = 1000, body = [ { op = wait-interrupt } ] } ], 0 = [ { op = compute, time = 5 us }, { op = system-off } ] }
            """);
        var r = Runs.Run(file);
        Assert.Equal((0, "ok"), (r.Code, r.Status));
        Assert.Equal(0, Programs(r).GetProperty("unfinished").GetInt32());
    }

    [Fact]
    public void A_sweep_marks_the_runs_that_did_not_finish()
    {
        var file = TenLaps("sweep { \"sim.end-time\" = [\"35 us\", off] }");
        var dir = Paths.TempDir();
        var o = new StringWriter();
        Assert.Equal(0, VirtCca.Launcher.Run.RunCommand.Execute(file, [], dir, o, new StringWriter()));
        var rows = File.ReadAllLines(Path.Combine(dir, "summary.csv")).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["run", "sim.end-time", "status", "unfinished_programs"], rows[0][..4]);
        Assert.Equal(["0", "35 us", "truncated", "1"], rows[1][..4]);
        Assert.Equal(["1", "off", "ok", "0"], rows[2][..4]);
        Assert.Contains("sweep: not every run finished its programs: run 0 truncated (status in summary.csv)", o.ToString());
    }
}
