using VirtCca.Launcher.Config;

namespace VirtCca.Kvm.Tests;

/// <summary>The machines of HOCON/experiments as the launcher's readers build them (sweeps off).</summary>
internal static class Experiments
{
    public static string Path(string name) => System.IO.Path.Combine(Root(), "HOCON", "experiments", name);

    public static MachineSpec Spec(string name, params string[] sets) =>
        MachineConfig.Read(new ConfigReader(ConfigLoader.Load(Path(name), ["sweep=null", .. sets])));

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "virtcca-actors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no virtcca-actors.sln above the tests");
    }
}
