using Akka.Configuration.Hocon;
using VirtCca.Launcher.Composition;
using VirtCca.Launcher.Config;
using VirtCca.Launcher.Run;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Evaluation;

/// <summary>One workload as its file describes it: what it stands for, how it is measured, where its figures come from.</summary>
public sealed record WorkloadInfo(string Name, string Summary, string Kind, string Metric, IReadOnlyList<string> Sources, IReadOnlyList<PlatformConfiguration>? Only, bool Io)
{
    public bool RunsIn(PlatformConfiguration c) => Only == null || Only.Contains(c);
}

/// <summary>A platform of the evaluation and the configurations to run on it.</summary>
public sealed record EvaluationSetup(string PlatformFile, PlatformSettings Platform, IReadOnlyList<PlatformConfiguration> Configurations);

/// <summary>One run of the evaluation: a workload in a configuration on a platform, as overrides of the experiment.</summary>
public sealed record EvaluationRun(int Index, EvaluationSetup Setup, PlatformConfiguration Configuration, WorkloadInfo Workload, IReadOnlyList<Override> Overrides)
{
    public string Label => $"{Setup.Platform.Name} {Configuration.Name()} {Workload.Name}";
    public string Dir => $"run-{Index:D3}";
}

/// <summary>
/// An experiment's <c>evaluation { }</c>: platforms (each a platform file and its configurations) ×
/// workloads (each a <c>workloads.NAME</c> a workload file defines), every run an ordinary machine run
/// with machine.platform-file, machine.configuration, machine.workload and machine.scale set. A
/// workload that says <c>only = [ ... ]</c> runs in those configurations only. Everything is checked
/// here, before anything runs.
/// </summary>
public sealed record EvaluationPlan(string File, IReadOnlyList<Override> Overrides, string Title, PlatformConfiguration Against, double Scale,
    IReadOnlyList<EvaluationSetup> Setups, IReadOnlyList<WorkloadInfo> Workloads, IReadOnlyList<EvaluationRun> Runs)
{
    private static readonly string[] Known = ["title", "setups", "workloads", "against", "scale"];

    /// <summary>The plan, or null when the experiment has no evaluation block.</summary>
    public static EvaluationPlan? From(LoadedConfig loaded, string file, IReadOnlyList<Override> overrides)
    {
        var c = loaded.Config;
        if (!c.HasPath("evaluation") || Hocon.IsNull(c.GetValue("evaluation"))) return null;
        try { return Read(loaded, file, overrides); }
        catch (ConfigPathException e) { throw new ConfigException(loaded.SourceOf(e.Path), e.Path, e.Problem); }
    }

    private static EvaluationPlan Read(LoadedConfig loaded, string file, IReadOnlyList<Override> overrides)
    {
        var c = loaded.Config;
        var f = new Fields(c.GetValue("evaluation"), "evaluation", Known, "evaluation setting");
        string title = f.Has("title") ? f.Raw("title") : "evaluation";
        var against = Parse(f.Has("against") ? f.Raw("against") : "baseline", f.At("against"));
        double scale = f.Has("scale") ? f.Double("scale", 1e-9, 1e9) : 1.0;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";

        var setups = new List<EvaluationSetup>();
        var list = f.Value("setups") ?? throw f.Error("setups", "missing: [ { platform = \"../platforms/kunpeng-64.conf\", configurations = [native, baseline, virtcca-el3] }, ... ]");
        if (!Hocon.IsList(list)) throw f.Error("setups", "expected a list of { platform, configurations }");
        foreach (var (value, i) in Hocon.Elements(list).Select((v, i) => (v, i)))
        {
            var s = new Fields(value, ConfigPath.Index(f.At("setups"), i), ["platform", "configurations"], "field of a setup");
            string platformFile = s.Raw("platform");
            var path = Path.GetFullPath(Path.Combine(dir, platformFile));
            if (!System.IO.File.Exists(path)) throw s.Error("platform", $"file not found ({path})");
            PlatformSettings platform;
            try { platform = PlatformLoader.LoadFile(path); }
            catch (ConfigPathException e) { throw s.Error("platform", $"{platformFile}: {e.Path}: {e.Problem}"); }
            var configs = Names(s, "configurations").Select(n => Parse(n, s.At("configurations"))).ToArray();
            foreach (var cfg in configs)
                if (platform.Refuses(cfg) is { } why) throw s.Error("configurations", why);
            if (!configs.Contains(against)) throw s.Error("configurations", $"has no {against.Name()}, which evaluation.against measures every overhead against");
            setups.Add(new EvaluationSetup(platformFile, platform, configs));
        }
        if (setups.Count == 0) throw f.Error("setups", "the list is empty");

        var workloads = Names(f, "workloads").Select(n => Workload(c, n, f.At("workloads"))).ToArray();
        if (workloads.Length == 0) throw f.Error("workloads", "the list is empty");

        var runs = new List<EvaluationRun>();
        foreach (var setup in setups)
            foreach (var cfg in setup.Configurations)
                foreach (var w in workloads.Where(w => w.RunsIn(cfg)))
                {
                    string from = $"{loaded.SourceOf("evaluation")} (evaluation run {runs.Count}: {setup.Platform.Name} {cfg.Name()} {w.Name})";
                    Override O(string key, string v) => new(key, SweepRun.Quote(v), from);
                    runs.Add(new EvaluationRun(runs.Count, setup, cfg, w,
                        [.. overrides, O("machine.platform-file", setup.PlatformFile), O("machine.configuration", cfg.Name()), O("machine.workload", w.Name),
                         O("machine.scale", scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), O("sweep", "null")]));
                }
        return new EvaluationPlan(file, overrides, title, against, scale, setups, workloads, runs);
    }

    private static PlatformConfiguration Parse(string name, string path)
    {
        try { return PlatformConfigurations.Parse(name); }
        catch (ArgumentException e) { throw new ConfigPathException(path, e.Message); }
    }

    private static IReadOnlyList<string> Names(Fields f, string key)
    {
        var v = f.Value(key) ?? throw f.Error(key, "missing (a list)");
        if (!Hocon.IsList(v)) throw f.Error(key, "expected a list");
        return Hocon.Elements(v).Select(e => e.GetString()?.Trim() ?? "").ToArray();
    }

    private static WorkloadInfo Workload(Akka.Configuration.Config c, string name, string path)
    {
        string at = ConfigPath.Key("workloads", name);
        if (!c.HasPath(at) || !c.GetValue(at).IsObject())
            throw new ConfigPathException(path, $"no workload '{name}': include its file of HOCON/workloads/ (it defines workloads.{name})");
        var o = c.GetValue(at).GetObject().Items;
        string Str(string k, string d) => o.TryGetValue(k, out var v) && !Hocon.IsNull(v) ? v.GetString()?.Trim() ?? d : d;
        IReadOnlyList<string>? List(string k) => o.TryGetValue(k, out var v) && Hocon.IsList(v) ? Hocon.Elements(v).Select(e => e.GetString()?.Trim() ?? "").ToArray() : null;
        string kind = Str("kind", "macro"), metric = Str("metric", "latency");
        if (kind is not ("micro" or "macro")) throw new ConfigPathException(ConfigPath.Key(at, "kind"), $"'{kind}' is not micro or macro");
        if (metric is not ("latency" or "creation")) throw new ConfigPathException(ConfigPath.Key(at, "metric"), $"'{metric}' is not latency (request loops) or creation (realm.activated_ps)");
        var only = List("only")?.Select(n => Parse(n, ConfigPath.Key(at, "only"))).ToArray();
        return new WorkloadInfo(name, Str("summary", name), kind, metric, List("sources") ?? [], only, Str("io", "false") is "true" or "on" or "yes");
    }
}
