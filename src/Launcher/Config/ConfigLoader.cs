using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace VirtCca.Launcher.Config;

/// <summary>A loaded experiment: the resolved config (overrides, then the file and its includes, then reference.conf).</summary>
public sealed record LoadedConfig(Akka.Configuration.Config Config, string File, IReadOnlySet<string> OverriddenKeys)
{
    /// <summary>Where a key's value came from, for error messages.</summary>
    public string SourceOf(string key) => OverriddenKeys.Contains(key) ? "--set" : File;
}

/// <summary>Loads HOCON experiments: <c>include "x.conf"</c> resolves relative to the including file; an embedded reference.conf is the fallback.</summary>
public static class ConfigLoader
{
    /// <summary>Sections whose keys are checked against reference.conf, so a typo is an error instead of a silently ignored setting.</summary>
    private static readonly string[] CheckedSections = ["model", "sim", "phold", "machine", "machine.realm", "cluster"];

    public static Akka.Configuration.Config Reference { get; } = LoadReference();

    private static Akka.Configuration.Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("virtcca.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in the launcher");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static LoadedConfig Load(string path, IEnumerable<string> sets) => FromText(ReadFile(path, path), path, sets);

    public static LoadedConfig FromText(string hocon, string file, IEnumerable<string> sets)
    {
        var dirs = new Stack<string>();
        dirs.Push(Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".");
        Akka.Configuration.Config fileConfig;
        BracketCheck.Verify(hocon, file);
        try { fileConfig = ConfigurationFactory.ParseString(hocon, name => Include(name, dirs, file)); }
        catch (ConfigException) { throw; }
        catch (Exception e) { throw new ConfigException(file, null, $"HOCON syntax error: {e.Message}"); }

        var overridden = new HashSet<string>(StringComparer.Ordinal);
        var setConfig = Akka.Configuration.Config.Empty;
        foreach (var set in sets)
        {
            int eq = set.IndexOf('=');
            if (eq <= 0) throw new ConfigException("--set", set, "expected key=value, e.g. --set sim.threads=2");
            var key = set[..eq].Trim();
            var value = set[(eq + 1)..].Trim();
            try { setConfig = ConfigurationFactory.ParseString($"{key} = {value}").WithFallback(setConfig); }
            catch (Exception e) { throw new ConfigException("--set", key, $"cannot parse '{value}': {e.Message}"); }
            overridden.Add(key);
        }
        var loaded = new LoadedConfig(setConfig.WithFallback(fileConfig).WithFallback(Reference), file, overridden);
        CheckKeys(fileConfig, file);
        CheckKeys(setConfig, "--set");
        return loaded;
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
        try { return Parser.Parse(text, n => Include(n, dirs, topFile)); }
        catch (ConfigException) { throw; }
        catch (Exception e) { throw new ConfigException(path, null, $"HOCON syntax error: {e.Message}"); }
        finally { dirs.Pop(); }
    }

    private static void CheckKeys(Akka.Configuration.Config config, string file)
    {
        if (config.IsEmpty) return;
        foreach (var section in CheckedSections)
        {
            if (!config.HasPath(section)) continue;
            var value = config.GetValue(section);
            if (!value.IsObject()) throw new ConfigException(file, section, "must be an object { ... }");
            var known = Reference.GetConfig(section).Root.GetObject().Items.Keys.ToArray();
            foreach (var key in value.GetObject().Items.Keys)
            {
                if (known.Contains(key)) continue;
                var hint = known.OrderBy(k => Distance(k, key)).First();
                throw new ConfigException(file, $"{section}.{key}",
                    $"unknown setting (did you mean {section}.{hint}? known: {string.Join(", ", known)})");
            }
        }
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
