using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Tests;

/// <summary>Issue 13: every field is checked like a top-level key, and an error names the file and line (or --set, or the sweep value) it came from.</summary>
public sealed class FieldCheckTests
{
    [Fact]
    public void A_misspelt_operation_field_deep_in_a_loop_is_refused_naming_file_line_path_and_the_likely_intent()
    {
        var file = Runs.Write(Runs.MachineHead + """
            machine.vcpus = 2
            machine.program = [
              { op = loop, count = 500, body = [
                { op = send-ipi, target = next }
                { op = compute, cycles = 52000, tlb-misses-per-1000-cycle = 2 }
              ] }
            ]
            """);
        var r = Runs.Run(file);
        Assert.Equal(2, r.Code);
        Assert.Contains($"error: {file}:7: machine.program[0].body[1].tlb-misses-per-1000-cycle: unknown field of compute " +
            "(did you mean tlb-misses-per-1000-cycles? known: cycles, time, tlb-misses-per-1000-cycles)", r.Err);
        Assert.Null(r.Json);
    }

    [Theory]
    [InlineData("machine.guests = [ { name = a, vcpu = 2, program = [ { op = wfi } ] } ]",
        "exp.conf:3: machine.guests[0].vcpu: unknown field of a guest (did you mean vcpus?")]
    [InlineData("machine.guests = [ { program = [ { op = wfi } ]\n  realm { ram-page = 64 } } ]",
        "exp.conf:4: machine.guests[0].realm.ram-page: unknown field of a realm (did you mean ram-pages?")]
    [InlineData("machine.scheduler { time-slices = 2 ms }",
        "exp.conf:3: machine.scheduler.time-slices: unknown setting (did you mean machine.scheduler.time-slice?")]
    [InlineData("simm.threads = 2", "exp.conf:3: simm: unknown top-level setting (did you mean sim?")]
    [InlineData("machine.program = [ { op = wfi, cycles = 3 } ]", "exp.conf:3: machine.program[0].cycles: unknown field of wfi (it takes none)")]
    [InlineData("machine.program = [ { op = sned-ipi, target = 0 } ]", "exp.conf:3: machine.program[0].op: unknown op 'sned-ipi' (did you mean send-ipi?")]
    [InlineData("machine.program = [ { op = send-ipi, target = nxt } ]", "exp.conf:3: machine.program[0].target: 'nxt' is not a vCPU")]
    public void Unknown_fields_of_guests_realms_scheduler_and_operations_are_errors_with_a_suggestion(string machine, string error)
    {
        var r = Runs.Run(Runs.Write(Runs.MachineHead + machine));
        Assert.Equal(2, r.Code);
        Assert.Contains(error, r.Err);
    }

    [Fact]
    public void A_platform_error_names_the_included_file_and_its_line()
    {
        var dir = Paths.TempDir();
        var platform = Runs.Write("platform {\n  pes = 4\n  kvm {\n    hvc-rtt = 5\n  }\n}", "plat.conf", dir);
        var r = Runs.Run(Runs.Write("include \"plat.conf\"\nmodel.type = machine\nmachine.program = [ { op = wfi } ]", dir: dir));
        Assert.Equal(2, r.Code);
        Assert.Contains($"error: {platform}:4: platform.kvm.hvc-rtt: unknown setting (did you mean platform.kvm.hvc-rt?", r.Err);
    }

    [Fact]
    public void A_bad_sweep_value_is_blamed_on_the_sweep_line_and_a_bad_override_on_set()
    {
        var file = Runs.Write(Runs.MachineHead + "machine.program = [ { op = wfi } ]\nsweep {\n  \"machine.configuration\" = [baseline, cca]\n}");
        var dir = Paths.TempDir();
        var r = Runs.RunIn(dir, file);
        Assert.Equal(2, r.Code);
        Assert.Contains($"error: {file}:5 (sweep value cca of \"machine.configuration\"): machine.configuration: 'cca' is not one of: native, baseline, virtcca-sel2, virtcca-el3", r.Err);
        Assert.DoesNotContain("--set", r.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "run-000")));

        r = Runs.Run(file, "machine.vcpus=0", "sweep=null");
        Assert.Contains("error: --set: machine.vcpus: 0 is out of range", r.Err);
    }

    /// <summary>The locator only serves messages: on any text — Akka's parser already refused the broken ones — it returns, never throws or hangs.</summary>
    [Fact]
    public void The_locator_returns_on_arbitrary_text()
    {
        string[] pieces = ["a", "b.c", " = ", ": ", "{", "}", "[", "]", ",", "\n", "\"q\"", "\"\"\"", "#", "//", "${x}", "+=", "include ", "required(", ")", "1 ms", "\\"];
        var random = new Random(20261130);
        for (int n = 0; n < 5000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var found = HoconLocator.Scan(text, "f.conf", (_, _) => null);
            Assert.All(found.Values, p => Assert.InRange(p.Line, 1, text.Count(c => c == '\n') + 1));
        }
    }

    [Fact]
    public void The_locator_follows_dotted_keys_objects_lists_quoted_keys_strings_and_includes()
    {
        var dir = Paths.TempDir();
        Runs.Write("kvm {\n  hvc-rt = 1\n}", "inner.conf", dir);
        var text = """"
            # a comment with { braces [ and "quotes"
            sim.seed = 3
            machine {
              programs = [
                [ { op = compute, cycles = 1 }, { op = mmio, address = "0x{1}" } ]
                [
                  { op = wfi }
                ]
              ]
              realm { ram = 16 GiB }
            }
            sweep { "machine.vcpus" = [1, 2] }
            platform { include required("inner.conf") }
            note = """one
            two"""
            after = 1
            """";
        var file = Path.Combine(dir, "exp.conf");
        var at = HoconLocator.Scan(text, file, (from, name) =>
            (Path.Combine(dir, name), File.ReadAllText(Path.Combine(dir, name))));
        string Where(string path) => at[path].ToString();
        Assert.Equal($"{file}:2", Where("sim.seed"));
        Assert.Equal($"{file}:5", Where("machine.programs[0][1].address"));
        Assert.Equal($"{file}:7", Where("machine.programs[1][0].op"));
        Assert.Equal($"{file}:10", Where("machine.realm.ram"));
        Assert.Equal($"{file}:12", Where("sweep.\"machine.vcpus\"[1]"));
        Assert.Equal($"{Path.Combine(dir, "inner.conf")}:2", Where("platform.kvm.hvc-rt"));
        Assert.Equal($"{file}:16", Where("after"));
        // Origins: an override wins over the file; a path not written falls back to its nearest written parent.
        var origins = new ConfigOrigins(file, at, [new Override("machine.realm", "{}", "--set")]);
        Assert.Equal("--set", origins.SourceOf("machine.realm.ram"));
        Assert.Equal($"{file}:5", origins.SourceOf("machine.programs[0][1].address.nothing"));
        Assert.Equal(file, origins.SourceOf("cluster.nodes"));
        Assert.True(origins.IsSet("machine.realm.ram") && origins.IsSet("sim.seed") && !origins.IsSet("sim.threads"));
    }
}
