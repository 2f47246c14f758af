using System.Text.Json;
using VirtCca.Launcher.Composition;
using VirtCca.Launcher.Config;
using VirtCca.Launcher.Run;

namespace VirtCca.Launcher.Tests;

/// <summary>Experiment files written by a test, and `virtcca run` on them with everything it printed and wrote.</summary>
internal static class Runs
{
    public static string Platform { get; } = Path.Combine(Paths.Root, "HOCON", "platforms", "neoverse-n2.conf");

    /// <summary>A machine experiment's head: the Neoverse-N2-class platform (it runs every configuration) and model.type = machine (two lines).</summary>
    public static string MachineHead => $"include \"{Platform}\"\nmodel.type = machine\n";

    public static string Write(string hocon, string name = "exp.conf", string? dir = null)
    {
        var path = Path.Combine(dir ?? Paths.TempDir(), name);
        File.WriteAllText(path, hocon);
        return path;
    }

    public sealed record Outcome(int Code, string Out, string Err, JsonElement? Json)
    {
        public string Status => Json!.Value.GetProperty("status").GetString()!;
        public string Digest => Out.Split('\n').Single(l => l.StartsWith("RESULT ")).Split(' ')[1]["digest=".Length..];
    }

    public static Outcome Run(string file, params string[] sets) => RunIn(Paths.TempDir(), file, sets);

    public static Outcome RunIn(string dir, string file, params string[] sets)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RunCommand.Execute(file, sets, dir, o, e);
        var path = Path.Combine(dir, "results.json");
        JsonElement? json = File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;
        return new(code, o.ToString(), e.ToString(), json);
    }

    /// <summary>The machine a file describes, as the readers leave it (nothing built).</summary>
    public static MachineSpec Spec(string file, params string[] sets) => MachineConfig.Read(new ConfigReader(ConfigLoader.Load(file, sets)));

    /// <summary>The config error a file gives when its machine is read.</summary>
    public static string SpecError(string file, params string[] sets) => Assert.Throws<ConfigException>(() => Spec(file, sets)).Message;
}
