using System.Diagnostics;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Run;

/// <summary>Prints a progress line at most once per interval of host time. Display only: it never changes what runs.</summary>
public sealed class ProgressPrinter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _every;
    private readonly TextWriter _output;
    private TimeSpan _next;

    public ProgressPrinter(TimeSpan every, TextWriter output)
    {
        _every = every; _output = output; _next = every;
    }

    public void Report(RunProgress p)
    {
        var now = _clock.Elapsed;
        if (now < _next) return;
        _next = now + _every;
        _output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"progress: host {now.TotalSeconds:F1} s, simulated {p.Now.Picoseconds / 1e6:F3} us, events {p.Events}, windows {p.Windows}, {p.Events / now.TotalSeconds:F0} events/s"));
    }
}
