using System.Text;
using VirtCca.Cores.Workloads;

namespace VirtCca.Launcher.Tests;

/// <summary>Issue 13: programs that scale — templates, targets relative to the running vCPU, compute times.</summary>
public sealed class TemplateTests
{
    private static string Machine(string hocon) => Runs.Write(Runs.MachineHead + hocon);

    /// <summary>An operation with its loops spelled out (records compare a loop's body by reference).</summary>
    private static string Render(Op op) => op is Loop l ? $"loop {l.Count} [{string.Join(", ", l.Body.Select(Render))}]" : op.ToString();

    private static string[] Render(IReadOnlyList<IReadOnlyList<Op>> programs) => programs.Select(p => string.Join("; ", p.Select(Render))).ToArray();

    [Fact]
    public void Targets_relative_to_the_vcpu_are_resolved_per_vcpu_and_an_entry_overrides_all()
    {
        var spec = Runs.Spec(Machine("""
            machine.vcpus = 4
            machine.programs = {
              all = [ { op = send-ipi, target = next }, { op = send-ipi, target = previous, intid = 3 }
                      { op = psci-affinity-info, target = "vcpu + 2 mod 4" }, { op = psci-cpu-on, target = vcpu - 1 mod vcpus }
                      { op = send-ipi, target = vcpu }, { op = send-ipi, target = 2 } ]
              2 = [ { op = wfi } ]
            }
            """));
        var p = spec.Guests.Single().Programs;
        for (int i = 0; i < 4; i++)
        {
            if (i == 2) { Assert.Equal([new Wfi()], p[i]); continue; }
            Assert.Equal([new SendIpi((i + 1) % 4), new SendIpi((i + 3) % 4, 3), new PsciAffinityInfo((i + 2) % 4), new PsciCpuOn((i + 3) % 4),
                new SendIpi(i), new SendIpi(2)], p[i]);
        }
        // The same relative target in the one-program form and in a written-out list.
        spec = Runs.Spec(Machine("machine { vcpus = 3, program = [ { op = loop, count = 2, body = [ { op = send-ipi, target = next } ] } ] }"));
        Assert.Equal(["loop 2 [SendIpi { TargetVcpu = 1, Intid = 1 }]", "loop 2 [SendIpi { TargetVcpu = 2, Intid = 1 }]", "loop 2 [SendIpi { TargetVcpu = 0, Intid = 1 }]"],
            Render(spec.Guests.Single().Programs));
        spec = Runs.Spec(Machine("machine.programs = [ [ { op = send-ipi, target = previous } ], [ { op = send-ipi, target = previous } ] ]"));
        Assert.Equal([new SendIpi(1)], spec.Guests.Single().Programs[0]);
        Assert.Equal([new SendIpi(0)], spec.Guests.Single().Programs[1]);
    }

    [Theory]
    [InlineData("machine.vcpus = 4\nmachine.programs = {\n  all = [ { op = send-ipi, target = vcpu + 1 } ] }",
        "exp.conf:5: machine.programs.all[0].target: 'vcpu + 1' is vCPU 4 for vCPU 3, but the guest has 4 vCPUs (0..3); wrap it with 'mod 4' or use next/previous")]
    [InlineData("machine.vcpus = 4\nmachine.programs { all = [ { op = wfi } ]\n  7 = [ { op = wfi } ] }", "exp.conf:5: machine.programs.7: vCPU 7 does not exist: machine.vcpus = 4")]
    [InlineData("machine.vcpus = 4\nmachine.programs { 0 = [ { op = wfi } ] }", "exp.conf:4: machine.programs: no program for vCPU 1: add all = [ ... ] or 1 = [ ... ]")]
    [InlineData("machine.vcpus = 2\nmachine.programs { odd = [ { op = wfi } ] }", "machine.programs.odd: a template's entries are all (every vCPU) or a vCPU number")]
    [InlineData("machine.programs { all = [ { op = wfi } ] }", "machine.vcpus: missing: a template (machine.programs = { all = ... }) runs on how many vCPUs?")]
    [InlineData("machine.program = [ { op = send-ipi, target = \"vcpu * 2\" } ]", "machine.program[0].target: 'vcpu * 2' is not a vCPU")]
    [InlineData("machine.program = [ { op = compute, cycles = 5, time = 1 us } ]", "machine.program[0].time: give cycles or time, not both")]
    [InlineData("machine.program = [ { op = compute, time = 3 parsecs } ]", "machine.program[0].time: '3 parsecs' has no time unit")]
    public void Template_mistakes_name_the_entry_and_the_vcpu(string machine, string error)
    {
        Assert.Contains(error, Runs.SpecError(Machine(machine)));
    }

    [Theory]
    [InlineData(2_600_000_000, "20 us", 52_000)]
    [InlineData(2_600_000_000, "1 ns", 3)]         // 2.6 cycles: the nearest whole cycle
    [InlineData(2_600_000_000, "0.5 ns", 1)]       // 1.3
    [InlineData(1_000_000_000, "1500 ps", 2)]      // exactly half a cycle over: halves round up
    [InlineData(1_000_000_000, "1499 ps", 1)]
    [InlineData(1_000_000_000, "0 ps", 0)]
    [InlineData(3_000_000_000, "1 s", 3_000_000_000)]
    public void Compute_time_becomes_cycles_at_the_platform_frequency_rounded_to_the_nearest_cycle(long hz, string time, long cycles)
    {
        var spec = Runs.Spec(Machine($"platform.frequency-hz = {hz}\nmachine.program = [ {{ op = compute, time = \"{time}\", tlb-misses-per-1000-cycles = 2 }} ]"));
        Assert.Equal([new Compute(cycles, 2)], spec.Guests.Single().Programs.Single());
    }

    /// <summary>
    /// A 64-vCPU IPI ring, three laps: vCPU 0 starts it, each vCPU waits for the IPI, computes 2 us and
    /// passes it on. Written out it is 64 programs; as a template, two entries.
    /// </summary>
    [Fact]
    public void A_templated_64_vcpu_ring_is_the_written_out_ring_in_spec_and_digest()
    {
        const string lap = "{ op = wait-interrupt }, { op = compute, TIME }, { op = send-ipi, target = TARGET }";
        string Lap(string time, string target) => lap.Replace("TIME", time).Replace("TARGET", target);
        var templated = Machine($$"""
            machine.vcpus = 64
            machine.programs = {
              all = [ { op = loop, count = 3, body = [ {{Lap("time = 2 us", "next")}} ] } ]
              0 = [ { op = compute, time = 2 us }, { op = send-ipi, target = next }
                    { op = loop, count = 2, body = [ {{Lap("time = 2 us", "next")}} ] }, { op = wait-interrupt } ]
            }
            """);
        var written = new StringBuilder("machine.programs = [\n");
        written.Append($"  [ {{ op = compute, cycles = 6000 }}, {{ op = send-ipi, target = 1 }}, {{ op = loop, count = 2, body = [ {Lap("cycles = 6000", "1")} ] }}, {{ op = wait-interrupt }} ]\n");
        for (int i = 1; i < 64; i++) written.Append($"  [ {{ op = loop, count = 3, body = [ {Lap("cycles = 6000", ((i + 1) % 64).ToString())} ] }} ]\n");
        var writtenOut = Machine(written.Append("]\n").ToString());

        var (a, b) = (Runs.Spec(templated), Runs.Spec(writtenOut));
        Assert.Equal(Render(b.Guests.Single().Programs), Render(a.Guests.Single().Programs));
        IReadOnlyList<IReadOnlyList<Op>> none = [];
        Assert.Equal(b.Guests.Single() with { Programs = none }, a.Guests.Single() with { Programs = none });
        IReadOnlyList<VirtCca.Launcher.Composition.GuestSpec> noGuests = [];
        Assert.Equal(b with { Guests = noGuests }, a with { Guests = noGuests });

        var (runA, runB) = (Runs.Run(templated, "sim.engine=sequential"), Runs.Run(writtenOut, "sim.engine=sequential"));
        Assert.Equal((0, "ok"), (runA.Code, runA.Status));
        Assert.Equal(runB.Digest, runA.Digest);
        Assert.Equal(64 * 3, runA.Json!.Value.GetProperty("metrics").GetProperty("interrupts_taken").GetDouble());
    }
}
