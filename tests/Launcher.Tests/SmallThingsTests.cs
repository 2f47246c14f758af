using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using VirtCca.Launcher.Composition;
using VirtCca.Launcher.Results;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>Issue 13's smaller things: the plot, the operation list in the docs, Akka's shutdown noise.</summary>
public sealed partial class SmallThingsTests
{
    [Theory]
    [InlineData(new[] { 24.98, 24.98, 10.9 }, new[] { 26.42, 29.71, 14.68 }, 9.8)] // realm-smp's three configurations: 90 % of 10.9, two digits
    [InlineData(new[] { 100.0, 101.0 }, new[] { 103.0, 108.0 }, 90.0)]
    [InlineData(new[] { 0.0132, 0.0140 }, new[] { 0.0135, 0.0150 }, 0.011)]
    [InlineData(new[] { 0.2, 1.0 }, new[] { 1.9, 2.1 }, 0.0)]   // creation-dominated runs: guest slices near zero, so the axis stays at zero
    [InlineData(new[] { 0.0, 5.0 }, new[] { 1.0, 6.0 }, 0.0)]
    public void The_busy_time_axis_starts_a_little_below_the_shortest_guest_slice(double[] guest, double[] totals, double expected)
    {
        Assert.Equal(expected, SweepPlot.AxisBase(guest, totals), 9);
        Assert.Equal(expected > 0 ? $"busy time, all PEs (ms; axis from {expected:0.###}, not 0)" : "busy time, all PEs (ms)",
            SweepPlot.YLabel(SweepPlot.AxisBase(guest, totals)));
    }

    [Fact]
    public void The_plot_says_where_its_axis_starts_and_keeps_the_legend_beside_the_bars()
    {
        var dir = Paths.TempDir();
        Dictionary<string, double> Run(double guest, double kvm, double el3, double tmm) => new()
        {
            ["time.guest_ps"] = guest * 1e9, ["time.kvm_ps"] = kvm * 1e9, ["time.monitor_ps"] = el3 * 1e9, ["time.tmm_ps"] = tmm * 1e9,
        };
        Assert.True(SweepPlot.Write(dir, ["baseline", "virtcca-sel2", "virtcca-el3"], [Run(24.98, 1.44, 0, 0), Run(24.98, 0.91, 2.26, 1.56), Run(10.9, 0.91, 1.31, 1.56)]));
        var svg = File.ReadAllText(Path.Combine(dir, "summary.svg"));
        Assert.Contains("axis from 9.8, not 0", svg);
        // The legend is drawn to the right of the data area: every legend label starts right of the last bar's label.
        double X(string text) => double.Parse(LabelX().Matches(svg).First(m => m.Groups["text"].Value == text).Groups["x"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(X("TMM") > X("0.56×"), $"legend at {X("TMM")}, third bar's label at {X("0.56×")}");
    }

    [GeneratedRegex("<text transform=\"translate\\((?<x>[0-9.]+) [0-9.]+\\)\"[^>]*>\\s*(?<text>[^<]*?)\\s*</text>")]
    private static partial Regex LabelX();

    /// <summary>The operation list a text gives: "name (field, field | field), name, ..." between two markers.</summary>
    private static Dictionary<string, string[]> ListedOperations(string text, string from, string to)
    {
        int start = text.IndexOf(from, StringComparison.Ordinal) + from.Length, end = text.IndexOf(to, start, StringComparison.Ordinal);
        var block = Regex.Replace(text[start..end], "[`#*]", " ");
        return Regex.Matches(block, @"(?<name>[a-z][a-z-]*[a-z])(?:\s*\((?<fields>[^)]*)\))?")
            .ToDictionary(m => m.Groups["name"].Value,
                m => m.Groups["fields"].Value.Split([',', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order().ToArray());
    }

    public static TheoryData<string, string, string> Docs() => new()
    {
        { "src/Launcher/reference.conf", "The operations and their fields:", "A target is" },
        { "README.md", "The operations and their fields:", "A target is" },
    };

    [Theory]
    [MemberData(nameof(Docs))]
    public void The_docs_list_every_operation_with_its_fields_as_the_reader_knows_them(string file, string from, string to)
    {
        var listed = ListedOperations(File.ReadAllText(Path.Combine(Paths.Root, file)), from, to);
        var known = WorkloadReader.Operations.ToDictionary(o => o.Name, o => o.Fields.Order().ToArray());
        Assert.Equal(known.Keys.Order(), listed.Keys.Order());
        foreach (var (name, fields) in known) Assert.True(fields.SequenceEqual(listed[name]), $"{file}: {name} ({string.Join(", ", listed[name])}) ≠ ({string.Join(", ", fields)})");
    }

    [Fact]
    public async Task Akka_keeps_warnings_but_not_the_transport_shutdown_line()
    {
        using var system = ActorSystems.Local();
        try
        {
            var evaluator = system.Settings.Setup.Get<LogFilterSetup>().Value.CreateEvaluator();
            bool Kept(string message) => evaluator.ShouldTryKeepMessage(new Warning("TcpClientHandler (akka://virtcca)", typeof(object), message), out _);
            Assert.False(Kept("Unable to REMOVE channel [[::ffff:127.0.0.1]:59370->[::ffff:127.0.0.1]:42067](Id=267b3734) from connection group. May not shut down cleanly."));
            Assert.True(Kept("Association with remote system akka.tcp://virtcca@127.0.0.1:37381 has failed"));
            Assert.Equal(LogLevel.WarningLevel, system.EventStream.LogLevel);
        }
        finally { await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)); }
    }
}
