using VirtCca.Interconnect;
using VirtCca.Interconnect.Cluster;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Cluster;

/// <summary>How a node turns the coordinator's resolved config into its model and kernel settings.</summary>
internal static class NodeFactory
{
    public static readonly NodeModelFactory FromResolvedConfig = hocon =>
    {
        var experiment = Experiment.From(ConfigLoader.FromResolved(hocon, "<config from the coordinator>"));
        return (experiment.ModelFactory(), experiment.Kernel);
    };

    /// <summary>The resolved config as JSON (which is valid HOCON), so every node reads exactly the same settings.</summary>
    public static string Resolved(Experiment experiment)
    {
        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
            Results.HoconJson.Write(w, experiment.Loaded.Config.Root, omitNulls: true);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
