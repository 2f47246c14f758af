using System.Diagnostics;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;

namespace VirtCca.Benchmarks;

/// <summary>
/// What the kernel costs per idle component: N components that never get an event (idle vCPUs),
/// each linked to a hub (KVM) and, in groups of 8, to each other — link sets, no per-pair entries.
/// The benchmark times building the topology and the engine's side (hosts, partitions, component
/// actors) and reports allocation; <see cref="Retained"/> measures what stays on the heap.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class KernelScaleBenchmarks
{
    [Params(10_000, 100_000)]
    public int Components { get; set; }

    private ActorSystem _system = null!;

    [GlobalSetup]
    public void Setup() => _system = KernelSystems.Create("scale-bench");

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true)]
    public int PlainComponents() => Build(Components, null);

    [Benchmark]
    public int ActorComponents() => Build(Components, _system);

    private static int Build(int n, ActorSystem? system)
    {
        var model = IdleModel(n);
        using var runner = new WindowRunner(model, Settings(system != null), 2, [0, 1], system);
        return runner.Local.Sum(p => p.Hosts.Count);
    }

    private static KernelSettings Settings(bool actors) => new() { Partitions = 2, Threads = 1, ComponentActors = actors };

    /// <summary>A hub and n idle components in groups of 8 (all pairs in a group linked, each to the hub).</summary>
    public static ISimulationModel IdleModel(int n)
    {
        var b = new Topology.Builder();
        int hub = b.Add("kvm", 0);
        for (int i = 0; i < n; i++) b.Add($"vcpu{i}", 1 + i / 8);
        for (int g = 0; g < n; g += 8) b.LinkAll(Enumerable.Range(1 + g, Math.Min(8, n - g)), SimTime.FromNanoseconds(50));
        b.LinkToHub(hub, Enumerable.Range(1, n), SimTime.FromNanoseconds(100));
        return new FactoryModel("idle", b.Build(), _ => new Idle());
    }

    private sealed class Idle : Component
    {
        public override void Handle(in SimEvent ev, ISimContext ctx) { }
    }

    /// <summary>
    /// `dotnet run -c Release --project benchmarks/Benchmarks -- scale [N]`: heap bytes that stay per
    /// idle component — the topology, and the engine's side with plain objects and with actors — and
    /// the wall time to create them (one run, after a warm-up at N/10).
    /// </summary>
    public static void Retained(int n)
    {
        using var system = KernelSystems.Create("scale");
        Measure(n / 10, system, quiet: true);
        Measure(n, system, quiet: false);
    }

    private static void Measure(int n, ActorSystem system, bool quiet)
    {
        long start = Heap();
        var clock = Stopwatch.StartNew();
        var model = IdleModel(n);
        double topologyS = clock.Elapsed.TotalSeconds;
        long topology = Heap() - start;
        foreach (var actors in new[] { false, true })
        {
            long before = Heap();
            clock.Restart();
            using var runner = new WindowRunner(model, Settings(actors), 2, [0, 1], actors ? system : null);
            double s = clock.Elapsed.TotalSeconds;
            long bytes = Heap() - before;
            GC.KeepAlive(runner);
            if (!quiet)
                Console.WriteLine($"{n} idle components, {(actors ? "actors" : "plain objects")}: engine side {bytes / (double)n:F0} B each, created in {s:F3} s");
        }
        if (!quiet) Console.WriteLine($"{n} idle components: topology {topology / (double)n:F0} B each, built in {topologyS:F3} s");
        GC.KeepAlive(model);
    }

    private static long Heap()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        return GC.GetTotalMemory(true);
    }
}
