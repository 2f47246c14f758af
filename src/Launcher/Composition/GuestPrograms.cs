using Akka.Configuration.Hocon;
using VirtCca.Cores.Workloads;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A guest's programs, one per vCPU, from the forms a guest may use:
/// <list type="bullet">
/// <item><c>program = [ ... ]</c> — the same program on every vCPU;</item>
/// <item><c>programs = [ [ ... ], [ ... ] ]</c> — one per vCPU, in order;</item>
/// <item><c>programs = { all = [ ... ], 0 = [ ... ] }</c> — a template: vCPU i runs entry i if there is one, else <c>all</c>.</item>
/// </list>
/// In every form a target may be relative to the running vCPU (<see cref="VcpuTarget"/>); each is
/// resolved and checked against the guest's vCPUs here, before anything runs.
/// </summary>
public static class GuestPrograms
{
    public sealed record Source(HoconValue? Program, string ProgramPath, HoconValue? Programs, string ProgramsPath, string VcpusPath);

    /// <param name="vcpus">the guest's vCPUs, or null (auto): as many as a list of programs has, else 1</param>
    public static IReadOnlyList<IReadOnlyList<Op>> Read(Source s, int? vcpus, long frequencyHz)
    {
        bool hasPrograms = s.Programs != null && !Hocon.IsEmptyList(s.Programs);
        if (hasPrograms && s.Program != null)
            throw new ConfigPathException(s.ProgramPath, $"set together with {s.ProgramsPath}: give one of them — program (the same on every vCPU) or programs (per vCPU)");
        if (hasPrograms && Hocon.IsList(s.Programs!)) return FromList(s, Hocon.Elements(s.Programs!), vcpus, frequencyHz);
        if (hasPrograms && s.Programs!.IsObject()) return FromTemplate(s, s.Programs.GetObject(), vcpus, frequencyHz);
        if (hasPrograms)
            throw new ConfigPathException(s.ProgramsPath, "expected a list of programs (one per vCPU) or a template { all = [...], 0 = [...] }");
        if (s.Program == null)
            throw new ConfigPathException(s.ProgramPath, $"missing: give the guest's program — program = [ ... ] (every vCPU runs it) or {s.ProgramsPath} = [ [ ... ], ... ] or {{ all = [ ... ] }}");
        var template = WorkloadReader.ReadTemplate(s.Program, s.ProgramPath, frequencyHz);
        return Expand(vcpus ?? 1, _ => template);
    }

    private static IReadOnlyList<IReadOnlyList<Op>> FromList(Source s, IReadOnlyList<HoconValue> list, int? vcpus, long hz)
    {
        int n = vcpus ?? list.Count;
        if (list.Count != n)
            throw new ConfigPathException(s.ProgramsPath, $"{list.Count} programs for {s.VcpusPath} = {n}; give one per vCPU, or a template {{ all = [ ... ] }}");
        var templates = list.Select((p, i) => WorkloadReader.ReadTemplate(p, ConfigPath.Index(s.ProgramsPath, i), hz)).ToArray();
        return Expand(n, i => templates[i]);
    }

    private static IReadOnlyList<IReadOnlyList<Op>> FromTemplate(Source s, HoconObject entries, int? vcpus, long hz)
    {
        if (vcpus is not { } n) throw new ConfigPathException(s.VcpusPath, $"missing: a template ({s.ProgramsPath} = {{ all = ... }}) runs on how many vCPUs?");
        ProgramTemplate? all = null;
        var byIndex = new Dictionary<int, ProgramTemplate>();
        foreach (var (key, value) in entries.Items)
        {
            var path = ConfigPath.Key(s.ProgramsPath, key);
            if (key == "all") { all = WorkloadReader.ReadTemplate(value, path, hz); continue; }
            if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i))
                throw new ConfigPathException(path, "a template's entries are all (every vCPU) or a vCPU number");
            if (i >= n) throw new ConfigPathException(path, $"vCPU {i} does not exist: {s.VcpusPath} = {n}");
            byIndex[i] = WorkloadReader.ReadTemplate(value, path, hz);
        }
        return Expand(n, i => byIndex.GetValueOrDefault(i) ?? all
            ?? throw new ConfigPathException(s.ProgramsPath, $"no program for vCPU {i}: add all = [ ... ] or {i} = [ ... ]"));
    }

    private static IReadOnlyList<IReadOnlyList<Op>> Expand(int vcpus, Func<int, ProgramTemplate> templateOf)
    {
        var programs = new IReadOnlyList<Op>[vcpus];
        for (int i = 0; i < vcpus; i++) programs[i] = templateOf(i).For(i, vcpus);
        return programs;
    }
}
