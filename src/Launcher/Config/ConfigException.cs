namespace VirtCca.Launcher.Config;

/// <summary>A configuration the run cannot use. Printed as "file: key: problem" with exit code 2, never as a stack trace.</summary>
public sealed class ConfigException(string file, string? key, string problem) : Exception(Format(file, key, problem))
{
    public string File { get; } = file;
    public string? Key { get; } = key;
    public string Problem { get; } = problem;

    private static string Format(string file, string? key, string problem) =>
        key == null ? $"{file}: {problem}" : $"{file}: {key}: {problem}";
}
