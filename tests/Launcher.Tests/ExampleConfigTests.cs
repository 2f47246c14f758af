using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Tests;

/// <summary>Every shipped experiment must load and check cleanly, so no example rots.</summary>
public sealed class ExampleConfigTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "experiments", "cluster" })
            foreach (var f in Directory.GetFiles(Path.Combine(Paths.Root, "HOCON", dir), "*.conf").Order())
                data.Add(Path.GetRelativePath(Paths.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_loads(string relativePath)
    {
        var e = Experiment.From(ConfigLoader.Load(Path.Combine(Paths.Root, relativePath), Array.Empty<string>()));
        Assert.True(e.Kernel.EndTime.Picoseconds > 0);
        Assert.True(e.ModelFactory().Topology.Count > 0);
    }
}
