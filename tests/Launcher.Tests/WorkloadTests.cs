using VirtCca.Launcher.Composition;
using Akka.Configuration;
using VirtCca.Cores.Workloads;

namespace VirtCca.Cores.Tests;

public sealed class WorkloadTests
{
    [Fact]
    public void A_program_is_read_from_hocon()
    {
        var c = ConfigurationFactory.ParseString("""
            program = [
              { op = compute, cycles = 20000, tlb-misses-per-1000-cycles = 2 }
              { op = loop, count = 3, body = [ { op = hypercall }, { op = send-ipi, target = 1, intid = 5 } ] }
              { op = touch, address = "0x8000_0000", bytes = 128, write = true }
              { op = mmio, address = 150994944, write = true, in-kernel = false }
              { op = rsi-call, fid = "0xC4000190" }
              { op = arm-timer, ticks = 700 }
              { op = wfi }
              { op = wait-interrupt }
              { op = rsi-call, fid = "0xC4000195", args = ["0x2000", 0, 4096] }
              { op = psci-cpu-on, target = 3 }
              { op = ipa-state-set, base = "0x8000", top = "0x10000", ripas = empty }
              { op = system-off }
            ]
            """);
        var p = WorkloadReader.Read(c);
        Assert.Equal(12, p.Count);
        Assert.Equal(new Compute(20_000, 2), p[0]);
        var loop = Assert.IsType<Loop>(p[1]);
        Assert.Equal(3, loop.Count);
        Assert.Equal([new Hypercall(), new SendIpi(1, 5)], loop.Body);
        Assert.Equal(new Touch(0x8000_0000, 128, true), p[2]);
        Assert.Equal(new Mmio(0x0900_0000, true, false), p[3]);
        Assert.Equal(new RsiCall(0xC4000190), p[4]);
        Assert.Equal(new ArmTimer(700), p[5]);
        Assert.IsType<Wfi>(p[6]);
        Assert.IsType<WaitInterrupt>(p[7]);
        var rsi = Assert.IsType<RsiCall>(p[8]);
        Assert.Equal(0xC4000195UL, rsi.Fid);
        Assert.Equal([0x2000UL, 0, 4096], rsi.Args);
        Assert.Equal(new PsciCpuOn(3), p[9]);
        Assert.Equal(new IpaStateSet(0x8000, 0x10000, false), p[10]);
        Assert.IsType<SystemOff>(p[11]);
    }

    [Theory]
    [InlineData("program = [ { op = jump } ]", "program[0].op: unknown op 'jump' (did you mean")]
    [InlineData("program = [ { op = compute } ]", "program[0].cycles: missing")]
    [InlineData("program = [ { op = loop, count = 2, body = [ { op = touch, address = \"0xZZ\" } ] } ]", "program[0].body[0].address")]
    [InlineData("program = [ { op = compute, cycles = -5 } ]", "program[0].cycles: -5 is out of range")]
    [InlineData("program = 5", "program: expected a list")]
    [InlineData("program = [ { op = rsi-call, fid = 1, args = [1, 2, 3, 4, 5, 6] } ]", "program[0].args: 6 values; an SMC carries 5")]
    [InlineData("program = [ { op = rsi-call, fid = 1, args = [\"0xQ\"] } ]", "program[0].args[0]: '0xQ' is not an address")]
    [InlineData("program = [ { op = ipa-state-set, base = 0, top = 4096, ripas = shared } ]", "program[0].ripas: 'shared' is not one of: ram, empty")]
    public void Mistakes_name_the_operation(string hocon, string message)
    {
        var ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => WorkloadReader.Read(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Map_request_loops_and_fractional_miss_rates_are_read()
    {
        var p = WorkloadReader.Read(ConfigurationFactory.ParseString(
            "program = [ { op = loop, count = 2, requests = true, body = [ { op = map, pages = 16, unmap = true, batch = 4 }, { op = compute, cycles = 10, tlb-misses-per-1000-cycles = 0.25 } ] } ]"));
        var loop = Assert.IsType<Loop>(p.Single());
        Assert.True(loop.Requests);
        Assert.Equal(new MapPages(16, Unmap: true, Batch: 4), loop.Body[0]);
        Assert.Equal(new Compute(10, 0.25m), loop.Body[1]);
        var ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => WorkloadReader.Read(ConfigurationFactory.ParseString("program = [ { op = map, pages = 1, batch = 0 } ]")));
        Assert.Contains("program[0].batch", ex.Message);
        ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => WorkloadReader.Read(ConfigurationFactory.ParseString("program = [ { op = compute, cycles = 1, tlb-misses-per-1000-cycles = -1 } ]")));
        Assert.Contains("'-1' is not a rate between 0 and 1000", ex.Message);
    }

    [Fact]
    public void The_runner_reports_where_each_request_begins_and_ends()
    {
        var edges = new List<bool>();
        var r = new ProgramRunner([new Hypercall(0), new Loop(2, [new Hypercall(1)], Requests: true), new Hypercall(2)], edges.Add);
        var seen = new List<string>();
        while (r.Current is Hypercall h) { seen.Add($"{h.Function}:{edges.Count}"); r.Complete(); }
        Assert.Equal([true, false, true, false], edges);
        Assert.Equal(["0:0", "1:1", "1:3", "2:4"], seen); // begin before the first, end-begin between them, end after the last
    }

    [Fact]
    public void The_runner_unrolls_nested_loops_and_skips_empty_ones()
    {
        var r = new ProgramRunner([
            new Loop(2, [new Hypercall(1), new Loop(2, [new Hypercall(2)]), new Loop(0, [new Hypercall(9)])]),
            new Loop(3, []),
            new Hypercall(3),
        ]);
        var seen = new List<ulong>();
        while (r.Current is Hypercall h) { seen.Add(h.Function); r.Complete(); }
        Assert.Null(r.Current);
        Assert.Equal([1UL, 2, 2, 1, 2, 2, 3], seen);
        Assert.Equal(7, r.Retired);
        Assert.Throws<InvalidOperationException>(r.Complete);
    }
}
