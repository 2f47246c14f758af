namespace VirtCca.Launcher.Tests;

internal static class Paths
{
    /// <summary>The repository root (the folder holding virtcca-actors.sln).</summary>
    public static string Root { get; } = Find();

    public static string Experiment(string name) => Path.Combine(Root, "HOCON", "experiments", name);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "virtcca-actors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find virtcca-actors.sln above " + AppContext.BaseDirectory);
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "virtcca-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
