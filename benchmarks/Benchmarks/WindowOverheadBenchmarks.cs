using Akka.Actor;
using BenchmarkDotNet.Attributes;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Benchmarks;

/// <summary>
/// The kernel's cost per active component per window, with no model work: N components each
/// handle exactly one event per window (they reschedule themselves one lookahead later), for 10,000
/// windows. Time / (N x 10,000) is the overhead of making one component take part in one window.
/// </summary>
[ShortRunJob]
public class WindowOverheadBenchmarks
{
    private const int Windows = 10_000;

    [Params(8, 64)]
    public int Components { get; set; }

    private ISimulationModel _model = null!;
    private ActorSystem _system = null!;
    private KernelSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        var b = new Topology.Builder();
        for (int i = 0; i < Components; i++) b.Add($"idle-{i}");
        if (Components > 1) b.AllToAll(SimTime.FromNanoseconds(1));
        _model = new Model(b.Build(SimTime.FromNanoseconds(1)));
        _settings = new KernelSettings { EndTime = SimTime.FromNanoseconds(Windows), Threads = 1, Partitions = 1 };
        _system = KernelSystems.Create("window-bench");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true, OperationsPerInvoke = Windows)]
    public long PlainComponents() => LocalEngine.Run(_model, _settings with { ComponentActors = false }, null).Events;

    [Benchmark(OperationsPerInvoke = Windows)]
    public long ActorComponents() => LocalEngine.Run(_model, _settings, _system).Events;

    [Benchmark(OperationsPerInvoke = Windows)]
    public long Sequential() => SequentialEngine.Run(_model, _settings).Events;

    private sealed class Model(Topology topology) : ISimulationModel
    {
        public string Name => "idle";
        public Topology Topology { get; } = topology;
        public Component CreateComponent(int id) => new Idle();
    }

    private sealed class Idle : Component
    {
        public override void Start(ISimContext ctx) => ctx.Schedule(SimTime.Zero, 1);
        public override void Handle(in SimEvent ev, ISimContext ctx) => ctx.Schedule(SimTime.FromNanoseconds(1), 1);
    }
}
