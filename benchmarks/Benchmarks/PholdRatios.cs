using Akka.Actor;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Models;

namespace VirtCca.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project benchmarks/Benchmarks -- phold-ratios [REPS]`: PholdBenchmarks'
/// two shapes on each engine setting, interleaved, REPS times; prints the fastest run of each and its
/// speed against the sequential engine. The minimum of interleaved runs is what survives a machine
/// shared with other work, where BenchmarkDotNet's means do not.
/// </summary>
public static class PholdRatios
{
    public static void Run(int reps)
    {
        using var system = KernelSystems.Create("phold-ratios");
        foreach (var shape in new[] { "dense", "sparse" })
        {
            var model = new PholdModel(new PholdParameters { Components = 64, Population = shape == "dense" ? 64 : 1 });
            var s = new KernelSettings
            {
                Seed = 20261125, Threads = 2, Partitions = 2,
                EndTime = shape == "dense" ? SimTime.FromMicroseconds(2_700) : SimTime.FromMicroseconds(170_000),
            };
            var cases = new (string Name, Func<RunResult> Run)[]
            {
                ("sequential", () => SequentialEngine.Run(model, s)),
                ("actors 2 threads 2 partitions", () => LocalEngine.Run(model, s, system)),
                ("plain objects 2 threads 2 partitions", () => LocalEngine.Run(model, s with { ComponentActors = false }, null)),
                ("actors 1 thread 2 partitions", () => LocalEngine.Run(model, s with { Threads = 1 }, system)),
                ("actors 1 thread 1 partition", () => LocalEngine.Run(model, s with { Threads = 1, Partitions = 1 }, system)),
            };
            var best = cases.Select(_ => double.MaxValue).ToArray();
            var digests = new HashSet<string>();
            long events = 0;
            for (int r = 0; r < reps; r++)
                for (int c = 0; c < cases.Length; c++)
                {
                    var result = cases[c].Run();
                    best[c] = Math.Min(best[c], result.HostSeconds);
                    digests.Add(result.Digest);
                    events = result.Events;
                }
            Console.WriteLine($"{shape} PHOLD, {events:N0} events, fastest of {reps}, {(digests.Count == 1 ? "one digest" : "DIGESTS DIFFER")}:");
            for (int c = 0; c < cases.Length; c++)
                Console.WriteLine($"  {cases[c].Name,-38} {best[c] * 1000,8:F1} ms  {best[0] / best[c]:F2}x the sequential engine's speed");
        }
    }
}
