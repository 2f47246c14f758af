using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace VirtCca.Launcher.Config;

/// <summary>A loaded experiment: the resolved config (overrides, then the file and its includes, then reference.conf) and where each value came from.</summary>
public sealed record LoadedConfig(Akka.Configuration.Config Config, string File, ConfigOrigins Origins)
{
    /// <summary>Where a path's value came from, for error messages: "file:line", "--set" or a sweep value.</summary>
    public string SourceOf(string path) => Origins.SourceOf(path);

    /// <summary>True when the user gave this path (in the file, an include or an override), not only reference.conf.</summary>
    public bool IsSet(string path) => Origins.IsSet(path);
}

/// <summary>
/// Loads HOCON experiments: <c>include "x.conf"</c> (also <c>required(…)</c>, <c>file(…)</c>) resolves
/// relative to the including file and must exist; an embedded reference.conf is the fallback. Every key
/// of the known sections is checked against reference.conf, so a typo is an error instead of a setting
/// silently ignored.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>Sections whose keys are checked against reference.conf.</summary>
    private static readonly string[] CheckedSections = ["model", "sim", "phold", "machine", "machine.realm", "machine.scheduler", "machine.nvme", "machine.nic", "network", "cluster"];

    /// <summary>Top-level keys beyond reference.conf's: the platform block (PlatformLoader checks it), workloads (each checked as a guest when a run names it) and evaluation (EvaluationPlan checks it).</summary>
    private static readonly string[] ExtraRoots = ["platform", "workloads", "evaluation"];

    public static Akka.Configuration.Config Reference { get; } = LoadReference();

    private static Akka.Configuration.Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("virtcca.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in the launcher");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static LoadedConfig Load(string path, IEnumerable<string> sets) => Load(path, sets.Select(Override.FromSet).ToList());

    public static LoadedConfig Load(string path, IReadOnlyList<Override> overrides) => FromText(ReadFile(path, path), path, overrides);

    public static LoadedConfig FromText(string hocon, string file, IEnumerable<string> sets) => FromText(hocon, file, sets.Select(Override.FromSet).ToList());

    public static LoadedConfig FromText(string hocon, string file, IReadOnlyList<Override> overrides)
    {
        var fileConfig = Parse(hocon, file);
        var written = HoconLocator.Scan(hocon, file, ReadInclude);
        var origins = new ConfigOrigins(file, written, overrides);

        var setConfig = Akka.Configuration.Config.Empty;
        var single = new List<(Akka.Configuration.Config Config, Override From)>();
        foreach (var o in overrides)
        {
            Akka.Configuration.Config c;
            try { c = ConfigurationFactory.ParseString($"{o.Key} = {o.Value}"); }
            catch (Exception e) { throw new ConfigException(o.Source, o.Key, $"cannot parse '{o.Value}': {e.Message}"); }
            setConfig = c.WithFallback(setConfig);
            single.Add((c, o));
        }
        CheckKeys(fileConfig, origins.SourceOf);
        foreach (var (c, o) in single) CheckKeys(c, _ => o.Source);
        return new LoadedConfig(setConfig.WithFallback(fileConfig).WithFallback(Reference), file, origins);
    }

    /// <summary>A config another process already loaded and checked (a worker's copy of the coordinator's): nothing is re-checked, nothing counts as set by a user.</summary>
    public static LoadedConfig FromResolved(string hocon, string name) =>
        new(ConfigurationFactory.ParseString(hocon).WithFallback(Reference), name, ConfigOrigins.None(name));

    private static Akka.Configuration.Config Parse(string hocon, string file)
    {
        BracketCheck.Verify(hocon, file);
        var dirs = new Stack<string>();
        dirs.Push(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".");
        try { return ConfigurationFactory.ParseString(PlainIncludes(hocon, file), name => Include(name, dirs, file)); }
        catch (ConfigException) { throw; }
        catch (Exception e) { throw new ConfigException(file, null, $"HOCON syntax error: {e.Message}"); }
    }

    private static string ReadFile(string path, string forError)
    {
        if (!System.IO.File.Exists(path)) throw new ConfigException(forError, null, $"file not found ({Path.GetFullPath(path)})");
        return System.IO.File.ReadAllText(path);
    }

    private static HoconRoot Include(string name, Stack<string> dirs, string topFile)
    {
        var path = Path.GetFullPath(Path.Combine(dirs.Peek(), name.Trim().Trim('"')));
        var text = ReadFile(path, $"{topFile}: include \"{name}\"");
        BracketCheck.Verify(text, path);
        dirs.Push(Path.GetDirectoryName(path) ?? ".");
        try { return Parser.Parse(PlainIncludes(text, path), n => Include(n, dirs, topFile)); }
        catch (ConfigException) { throw; }
        catch (Exception e) { throw new ConfigException(path, null, $"HOCON syntax error: {e.Message}"); }
        finally { dirs.Pop(); }
    }

    /// <summary>For the locator: an include's full path and text (resolved as <see cref="Include"/> does), or null if it cannot be read.</summary>
    private static (string Path, string Text)? ReadInclude(string fromFile, string name)
    {
        var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(fromFile)) ?? ".", name));
        return System.IO.File.Exists(path) ? (path, System.IO.File.ReadAllText(path)) : null;
    }

    /// <summary>
    /// Akka's parser knows only <c>include "x"</c>: it reads <c>include required("x")</c> as a key and
    /// drops the include. Every include here must exist anyway, so required(…) and file(…) become the
    /// plain form; url(…) and classpath(…) are refused.
    /// </summary>
    private static string PlainIncludes(string text, string file)
    {
        if (OtherInclude().Match(text) is { Success: true } m)
            throw new ConfigException($"{file}:{LineOf(text, m.Index)}", null, $"{m.Value.Trim()}(…): only file includes are supported (include \"x.conf\", include required(\"x.conf\"))");
        return WrappedInclude().Replace(text, w => "include " + w.Groups["name"].Value);
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"\binclude\s+(?:required\(\s*file\(\s*(?<name>""[^""\n]*"")\s*\)\s*\)|required\(\s*(?<name>""[^""\n]*"")\s*\)|file\(\s*(?<name>""[^""\n]*"")\s*\))")]
    private static partial Regex WrappedInclude();

    [GeneratedRegex(@"\binclude\s+(?:required\(\s*)?(?:url|classpath)(?=\()")]
    private static partial Regex OtherInclude();

    private static void CheckKeys(Akka.Configuration.Config config, Func<string, string> sourceOf)
    {
        if (config.IsEmpty) return;
        var roots = Reference.Root.GetObject().Items.Keys.Concat(ExtraRoots).ToArray();
        foreach (var key in config.Root.GetObject().Items.Keys)
            if (!roots.Contains(key))
                throw new ConfigException(sourceOf(ConfigPath.Key("", key)), ConfigPath.Key("", key), DidYouMean.Unknown(key, roots, "top-level setting"));
        foreach (var section in CheckedSections)
        {
            if (!config.HasPath(section)) continue;
            var value = config.GetValue(section);
            if (!value.IsObject()) throw new ConfigException(sourceOf(section), section, "must be an object { ... }");
            var known = Reference.GetConfig(section).Root.GetObject().Items.Keys.ToArray();
            foreach (var key in value.GetObject().Items.Keys)
            {
                if (known.Contains(key)) continue;
                var path = ConfigPath.Key(section, key);
                throw new ConfigException(sourceOf(path), path, DidYouMean.Unknown(key, known, "setting", section + "."));
            }
        }
    }
}
