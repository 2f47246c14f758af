using Akka.Actor;
using BenchmarkDotNet.Attributes;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Interconnect.Models;

namespace VirtCca.Benchmarks;

/// <summary>
/// PHOLD on the sequential engine (the baseline: one thread, one priority queue) and on the window
/// engine with 2 threads and 2 partitions, with components as actors (the product) and as plain
/// objects (for comparison). The Ratio column is the figure: actor engine time / sequential time.
/// dense = phold.conf's shape (64 x 64 in flight), sparse = phold-sparse.conf's (64 x 1).
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class PholdBenchmarks
{
    [Params("dense", "sparse")]
    public string Shape { get; set; } = "dense";

    private PholdModel _model = null!;
    private KernelSettings _settings = null!;
    private ActorSystem _system = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = new PholdModel(new PholdParameters { Components = 64, Population = Shape == "dense" ? 64 : 1 });
        // ~1 million events either way.
        _settings = new KernelSettings
        {
            Seed = 20261125,
            EndTime = Shape == "dense" ? SimTime.FromMicroseconds(2_700) : SimTime.FromMicroseconds(170_000),
            Threads = 2, Partitions = 2,
        };
        _system = KernelSystems.Create("phold-bench");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true)]
    public long Sequential() => SequentialEngine.Run(_model, _settings).Events;

    [Benchmark]
    public long ActorComponents() => LocalEngine.Run(_model, _settings, _system).Events;

    [Benchmark]
    public long PlainComponents() => LocalEngine.Run(_model, _settings with { ComponentActors = false }, null).Events;
}
