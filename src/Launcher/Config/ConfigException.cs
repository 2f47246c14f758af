namespace VirtCca.Launcher.Config;

/// <summary>
/// A configuration the run cannot use. Printed as "source: key: problem" with exit code 2, never as a
/// stack trace; the source is where the value came from: "file:line", "--set", or a sweep value.
/// </summary>
public sealed class ConfigException(string source, string? key, string problem) : Exception(Format(source, key, problem))
{
    public string File { get; } = source;
    public string? Key { get; } = key;
    public string Problem { get; } = problem;

    private static string Format(string source, string? key, string problem) =>
        key == null ? $"{source}: {problem}" : $"{source}: {key}: {problem}";
}

/// <summary>
/// A bad value found by a reader of structured settings (programs, guests, platform blocks), named by
/// its full path; the launcher turns it into a <see cref="ConfigException"/> naming where that path
/// was written. Its message alone reads "path: problem".
/// </summary>
public sealed class ConfigPathException(string path, string problem) : ArgumentException($"{path}: {problem}")
{
    public string Path { get; } = path;
    public string Problem { get; } = problem;
}
