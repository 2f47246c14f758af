using VirtCca.Launcher.Config;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

public sealed class ConfigErrorTests
{
    private static (int Code, string Out, string Err) Run(string file, params string[] sets)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RunCommand.Execute(file, sets, Paths.TempDir(), o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static string Write(string hocon)
    {
        var path = Path.Combine(Paths.TempDir(), "exp.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public void A_misspelt_key_names_file_key_and_the_likely_intent()
    {
        var file = Write("sim.thread = 2");
        var (code, _, err) = Run(file);
        Assert.Equal(2, code);
        Assert.Contains(file, err);
        Assert.Contains("sim.thread:", err);
        Assert.Contains("did you mean sim.threads", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("sim.threads = many", "sim.threads", "not a whole number")]
    [InlineData("sim.engine = fast", "sim.engine", "not one of: actors, sequential")]
    [InlineData("sim.end-time = 10", "sim.end-time", "no time unit")]
    [InlineData("phold.lookahead = 0 ns", "phold.lookahead", "greater than zero")]
    [InlineData("sim.lookahead = 2 us", "sim.lookahead", "longer than the shortest link")]
    [InlineData("sim.quantum = 500 ns", "sim.quantum", "smaller than the lookahead")]
    [InlineData("sim.lax-shadow = on", "sim.lax-shadow", "compares a lax run with the exact one")]
    [InlineData("sim.payload-codec = sometimes", "sim.payload-codec", "not one of: cross-process, always")]
    [InlineData("phold.remote-fraction = 1.5", "phold.remote-fraction", "out of range")]
    public void A_bad_value_names_the_file_line_key_and_what_is_wrong(string hocon, string key, string problem)
    {
        var file = Write($"model.type = phold\nsim.end-time = 1 ms\n{hocon}");
        var (code, _, err) = Run(file);
        Assert.Equal(2, code);
        Assert.Contains($"{file}:3: {key}: ", err);
        Assert.Contains(problem, err);
    }

    [Fact]
    public void A_bad_override_is_blamed_on_the_override()
    {
        var (code, _, err) = Run(Paths.Experiment("quickstart.conf"), "sim.threads=0");
        Assert.Equal(2, code);
        Assert.Contains("--set: sim.threads: 0 is out of range", err);
    }

    [Fact]
    public void Missing_files_and_syntax_errors_are_reported_without_a_stack_trace()
    {
        var (code, _, err) = Run("/nonexistent/x.conf");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/x.conf: file not found", err);

        var bad = Write("sim { threads = 2");
        (code, _, err) = Run(bad);
        Assert.Equal(2, code);
        Assert.Contains(bad, err);
        Assert.DoesNotContain("   at ", err);

        var inc = Write("include \"missing.conf\"");
        (code, _, err) = Run(inc);
        Assert.Equal(2, code);
        Assert.Contains("missing.conf", err);
        Assert.Contains("file not found", err);
    }

    [Fact]
    public void Includes_resolve_beside_the_including_file_and_overrides_win()
    {
        var dir = Paths.TempDir();
        File.WriteAllText(Path.Combine(dir, "base.conf"), "phold.components = 8\nsim.seed = 5");
        var file = Path.Combine(dir, "exp.conf");
        File.WriteAllText(file, "include \"base.conf\"\nsim.seed = 6");
        var loaded = ConfigLoader.Load(file, ["sim.seed=9"]);
        Assert.Equal(8, loaded.Config.GetInt("phold.components"));
        Assert.Equal(9, loaded.Config.GetInt("sim.seed"));
        Assert.Equal("actors", loaded.Config.GetString("sim.engine")); // from the embedded reference.conf
    }
}
