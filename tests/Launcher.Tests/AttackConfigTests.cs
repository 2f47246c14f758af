using System.Text.Json;
using System.Text.RegularExpressions;
using VirtCca.Interconnect;
using VirtCca.Kvm.Attacks;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Tests;

/// <summary>machine.host.attacks from HOCON: read and checked, run, reported in results.json and summary.csv; a finding exits 3.</summary>
public sealed partial class AttackConfigTests
{
    private static string Machine(string host) => Runs.Write(Runs.MachineHead + $$"""
        machine {
          pes = 3
          guests = [
            { name = v, programs = [ [ { op = loop, count = 50, body = [ { op = compute, cycles = 26000 }, { op = hypercall } ] } ] ] }
            { name = vm, configuration = baseline, program = [ { op = compute, cycles = 1000 } ] }
          ]
          host { {{host}} }
        }
        """);

    [Theory]
    [InlineData("attacks = [ { attack = read-delegted } ]", "machine.host.attacks[0].attack: unknown attack 'read-delegted' (did you mean read-delegated?")]
    [InlineData("attacks = [ { attack = read-delegated, variant = rom } ]", "machine.host.attacks[0].variant: 'rom' is not one of: host-address, pool-address")]
    [InlineData("attacks = [ { attack = program-tzasc, spy = vm } ]", "machine.host.attacks[0].spy: program-tzasc does not take spy (its fields: attack, at, victim, variant)")]
    [InlineData("attacks = [ { attack = destroy-live-realm, variant = x } ]", "machine.host.attacks[0].variant: destroy-live-realm has no variants")]
    [InlineData("attacks = [ { attack = read-delegated, victim = nobody } ]", "machine.host.attacks[0].victim: no guest named 'nobody' (guests: v, vm)")]
    [InlineData("attacks = [ { attack = inject-bad-lr, vcpu = 3 } ]", "machine.host.attacks[0].vcpu: vCPU 3 does not exist: v has 1 vCPUs (0..0)")]
    [InlineData("attacks = [ { attack = read-delegated, at = soon } ]", "machine.host.attacks[0].at:")]
    [InlineData("attacks = [ { attack = read-delegated, colour = red } ]", "machine.host.attacks[0].colour: unknown field of an attack")]
    [InlineData("pe = 7, attacks = []", "machine.host.pe:")]
    [InlineData("attacks = { attack = read-delegated }", "machine.host.attacks: expected a list of attacks")]
    public void A_bad_attack_is_one_clear_error_naming_where(string host, string error)
    {
        var run = Runs.Run(Machine(host));
        Assert.Equal(2, run.Code);
        Assert.Contains(error, run.Err);
        Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Attacks_are_read_with_their_defaults()
    {
        var spec = Runs.Spec(Machine("attacks = [ { attack = read-delegated, at = 50 us }, { attack = map-into-vm, spy = vm, ipa = \"0x40000000\", watch = 1 ms } ]"));
        var (a, b) = (spec.Host.Attacks[0], spec.Host.Attacks[1]);
        Assert.Equal(("read-delegated", SimTime.FromMicroseconds(50), "host-address", (string?)null), (a.Attack, a.At, a.Variant, a.Victim));
        Assert.Equal(("vm", 0x4000_0000UL, SimTime.FromMicroseconds(1000)), (b.Spy!, b.Ipa, b.Watch));
        Assert.Null(spec.Host.Pe);
    }

    [Fact]
    public void Attacks_conf_runs_every_scenario_refused_and_summary_csv_lists_each_attempt()
    {
        var dir = Paths.TempDir();
        // The file's sweep cut down to RMI in baseline and virtcca-sel2, each on both engines.
        var run = Runs.RunIn(dir, Paths.Experiment("attacks.conf"), "sweep={ \"machine.abi\" = [rmi], \"machine.configuration\" = [baseline, virtcca-sel2] }");
        Assert.True(run.Code == 0, run.Err);
        Assert.DoesNotContain("FINDING", run.Out + run.Err);
        Assert.Contains("attacks: 21 planned, 21 refused, 0 not-applicable, 0 allowed, 0 succeeded", run.Out);
        Assert.Contains("attacks: 21 planned, 1 refused, 19 not-applicable, 1 allowed, 0 succeeded", run.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run-002", "results.json")));
        var attacks = json.RootElement.GetProperty("attacks").EnumerateArray().ToArray();
        Assert.Equal(21, attacks.Length);
        Assert.All(attacks, a =>
        {
            Assert.Equal("refused", a.GetProperty("verdict").GetString());
            Assert.NotEqual("", a.GetProperty("refusedBy").GetString());
            Assert.True(a.GetProperty("realmUnchanged").GetBoolean());
        });
        Assert.Equal(0, json.RootElement.GetProperty("metrics").GetProperty("attacks.succeeded").GetInt32());
        var csv = File.ReadAllLines(Path.Combine(dir, "summary.csv"));
        var header = csv[0].Split(',');
        Assert.Contains("attack.2.read-delegated/pool-address", header);
        Assert.Contains("attack.20.read-guest-memory", header);
        Assert.Equal(5, csv.Length);
        Assert.Contains(",refused by TZASC: bus error at PA", csv[3]);
        Assert.Contains("allowed: KVM read 64 bytes of the VM's RAM", csv[1]);
    }

    [Fact]
    public void A_finding_is_said_loudly_and_the_run_exits_3()
    {
        // A victim that stores to its own memory while KVM's attempt watches it: the realm changed, which is reported as a finding.
        var file = Runs.Write(Runs.MachineHead + """
            machine {
              pes = 3
              guests = [
                { name = v, program = [ { op = compute, time = 150 us }, { op = touch, address = "0x100", write = true }, { op = compute, time = 300 us } ] }
                { name = vm, configuration = baseline, program = [ { op = loop, count = 400, body = [ { op = touch, address = "0x40000000", bytes = 8 }, { op = compute, time = 1 us } ] } ] }
              ]
              host.attacks = [ { attack = map-into-vm, at = 100 us, spy = vm, ipa = "0x40000000", watch = 200 us } ]
            }
            """);
        var run = Runs.Run(file);
        Assert.Equal(3, run.Code);
        Assert.Contains("FINDING: attack 0 map-into-vm on v SUCCEEDED: refused (TZASC: ", run.Err);
        Assert.Contains("but the realm changed: memory", run.Err);
        Assert.Equal("succeeded", run.Json!.Value.GetProperty("attacks")[0].GetProperty("verdict").GetString());
    }

    /// <summary>"name [variant, variant] (field, field)" entries between two markers of a text.</summary>
    private static Dictionary<string, (string[] Variants, string[] Fields)> Listed(string text, string from, string to)
    {
        int start = text.IndexOf(from, StringComparison.Ordinal) + from.Length, end = text.IndexOf(to, start, StringComparison.Ordinal);
        var block = Regex.Replace(text[start..end], "[`#*|]", " ");
        string[] Split(Group g) => g.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return AttackEntry().Matches(block).ToDictionary(m => m.Groups["name"].Value, m => (Split(m.Groups["variants"]), Split(m.Groups["fields"]).Order().ToArray()));
    }

    [GeneratedRegex(@"(?<name>[a-z]+(?:-[a-z]+)+)\s*(?:\[(?<variants>[^\]]*)\])?\s*(?:\((?<fields>[^)]*)\))?")]
    private static partial Regex AttackEntry();

    [Theory]
    [InlineData("src/Launcher/reference.conf")]
    [InlineData("README.md")]
    public void The_docs_list_every_attack_with_its_variants_and_fields(string file)
    {
        var listed = Listed(File.ReadAllText(Path.Combine(Paths.Root, file)), "The attacks and their fields", "victim:");
        Assert.Equal(AttackCatalog.All.Select(s => s.Name).Order(), listed.Keys.Order());
        foreach (var s in AttackCatalog.All)
        {
            var (variants, fields) = listed[s.Name];
            Assert.True(s.Variants.Where(v => v.Length > 0).SequenceEqual(variants), $"{file}: {s.Name} [{string.Join(", ", variants)}]");
            Assert.True(s.Fields.Order().SequenceEqual(fields), $"{file}: {s.Name} ({string.Join(", ", fields)})");
        }
    }
}
