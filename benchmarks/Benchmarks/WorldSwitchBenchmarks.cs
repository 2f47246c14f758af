using VirtCca.Launcher.Composition;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.SecureMonitor;

namespace VirtCca.Benchmarks;

/// <summary>
/// World-switch flows per host second: 16 vCPUs on 16 PEs, each looping "compute 1 µs, hypercall",
/// so every iteration is one guest exit and re-entry with the configuration's full flow (in a realm:
/// two EL3 world switches and two TMM round trips; the guest's hypercall is RSI_HOST_CALL). One operation = one simulated exit, so
/// 1 / (time per op) is simulated exits per host second. Engines: sequential, and the actor engine
/// with 2 threads and 2 partitions (the PEs split 8/8).
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class WorldSwitchBenchmarks
{
    private const int Vcpus = 16, ExitsPerVcpu = 2_000;

    [Params(PlatformConfiguration.Baseline, PlatformConfiguration.VirtccaSel2, PlatformConfiguration.VirtccaEl3)]
    public PlatformConfiguration Configuration { get; set; }

    private ActorSystem _system = null!;
    private IReadOnlyList<Op>[] _programs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _programs = Enumerable.Range(0, Vcpus)
            .Select(_ => (IReadOnlyList<Op>)[new Loop(ExitsPerVcpu, [new Compute(2_600), new Hypercall()])])
            .ToArray();
        _system = KernelSystems.Create("world-switch-bench");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    // A realm is created by KVM through RMI calls first (~450 calls for 16 vCPUs), then runs on the real TMM.
    private Machine NewMachine() => new(MachineSpec.OneGuest(Configuration, _programs));

    [Benchmark(Baseline = true, OperationsPerInvoke = Vcpus * ExitsPerVcpu)]
    public long Sequential() => Check(SequentialEngine.Run(NewMachine().Model, new KernelSettings()));

    [Benchmark(OperationsPerInvoke = Vcpus * ExitsPerVcpu)]
    public long Actors() => Check(LocalEngine.Run(NewMachine().Model, new KernelSettings { Threads = 2, Partitions = 2 }, _system));

    private static long Check(RunResult r) => r.Events > 0 ? r.Events : throw new InvalidOperationException("nothing ran");
}
