using VirtCca.Cores.Workloads;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// machine.scale: the outermost loops of a program (a workload's request or iteration loop) run
/// round(count × scale) times, at least once — a smaller run of the same work per iteration, so
/// ratios between configurations keep their meaning while the run gets shorter. Inner loops (a batch
/// within one request) are the request's shape and stay as they are.
/// </summary>
public static class ProgramScale
{
    public static IReadOnlyList<Op> Apply(IReadOnlyList<Op> program, double scale) =>
        program.Select(op => op is Loop l ? l with { Count = Math.Max(1, (int)Math.Min(int.MaxValue, Math.Round(l.Count * scale, MidpointRounding.AwayFromZero))) } : op).ToArray();
}
