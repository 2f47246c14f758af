using System.Diagnostics;

namespace VirtCca.Launcher.Cluster;

/// <summary>The `virtcca worker` processes a run starts on this machine; stopped (killed if need be) when it ends.</summary>
internal sealed class WorkerProcesses : IDisposable
{
    private readonly List<Process> _processes = new();

    public IReadOnlyList<Process> Processes => _processes;

    public void Start(int count, string seedNode, string hostname, TextWriter output)
    {
        var dll = typeof(Program).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
            dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        for (int i = 0; i < count; i++)
        {
            var psi = new ProcessStartInfo(dotnet)
            {
                UseShellExecute = false,
                RedirectStandardInput = true, // closed when this process dies, so an orphaned worker exits
            };
            foreach (var a in new[] { dll, "worker", "--seed-node", seedNode, "--hostname", hostname, "--exit-with-stdin" })
                psi.ArgumentList.Add(a);
            var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start a worker process");
            _processes.Add(p);
            output.WriteLine($"worker process {i + 1} started: pid {p.Id}");
        }
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                p.StandardInput.Close();
                if (!p.WaitForExit(TimeSpan.FromSeconds(15))) p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
