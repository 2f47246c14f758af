using System.Diagnostics;
using VirtCca.Cores.Workloads;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Launcher.Composition;
using VirtCca.SecureMonitor;

namespace VirtCca.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project benchmarks/Benchmarks -- machine-scale [N ...]`: how building and
/// running a machine grows with its size. Each N is a world-switch-like machine of N PEs and N vCPUs
/// (one guest, each vCPU 10 × "compute 1 µs, hypercall"), sequential engine. Reported: the time to
/// build the topology, to create the components, to run, the heap that stays per PE+vCPU pair while
/// the machine is alive, and then 100,000 idle overcommitted vCPUs (PSCI boot: vCPU 0 runs on one of
/// 64 PEs, the others are never powered on) with the heap per idle vCPU. Wall-clock numbers are
/// reported, never asserted; one warm-up machine runs first so that JIT time is not counted.
/// </summary>
public static class MachineScale
{
    public static void Run(IReadOnlyList<int> sizes, int idleVcpus = 100_000)
    {
        Measure(PlatformConfiguration.Baseline, 256, quiet: true);
        Console.WriteLine("configuration   PEs=vCPUs  topology_s  create_s   run_s  total_s    events  heap_B/pair");
        foreach (int n in sizes) Measure(PlatformConfiguration.Baseline, n, quiet: false);
        // A realm has at most 1,024 RECs here (the TMM's REC index is 10 bits), so its scale point is 1 k.
        Measure(PlatformConfiguration.VirtccaSel2, 1024, quiet: false);
        Idle(idleVcpus);
    }

    private static void Measure(PlatformConfiguration configuration, int n, bool quiet)
    {
        var programs = Enumerable.Repeat((IReadOnlyList<Op>)[new Loop(10, [new Compute(2_600), new Hypercall()])], n).ToArray();
        var realm = new Kvm.Realms.RealmShape { RamPages = Kvm.Realms.RealmShape.DefaultRamPages(4, n) };
        var spec = MachineSpec.OneGuest(configuration, programs, new PlatformSettings { Pes = n }, realm, pes: n);
        long before = Heap();
        var clock = Stopwatch.StartNew();
        var machine = new Machine(spec);
        double topologyS = clock.Elapsed.TotalSeconds;
        var result = SequentialEngine.Run(machine.Model, new KernelSettings());
        double totalS = clock.Elapsed.TotalSeconds;
        long bytes = Heap() - before;
        GC.KeepAlive(machine);
        if (result.EventsPending || result.Events == 0) throw new InvalidOperationException($"{configuration} at {n} PEs did not finish");
        if (!quiet)
            Console.WriteLine($"{configuration,-14} {n,10} {topologyS,11:F3} {totalS - topologyS - result.HostSeconds,9:F3} {result.HostSeconds,7:F3} {totalS,8:F3} {result.Events,9} {bytes / (double)n,12:F0}");
    }

    private static void Idle(int vcpus)
    {
        const int pes = 64;
        var programs = Enumerable.Repeat((IReadOnlyList<Op>)[new Compute(2_600)], vcpus).ToArray();
        var spec = MachineSpec.OneGuest(PlatformConfiguration.Baseline, programs, new PlatformSettings { Pes = pes }, psciBoot: true, pes: pes);
        long before = Heap();
        var clock = Stopwatch.StartNew();
        var machine = new Machine(spec);
        var result = SequentialEngine.Run(machine.Model, new KernelSettings());
        double s = clock.Elapsed.TotalSeconds;
        long bytes = Heap() - before;
        GC.KeepAlive(machine);
        if (result.EventsPending) throw new InvalidOperationException("the idle machine did not finish");
        Console.WriteLine($"{vcpus} idle overcommitted vCPUs on {pes} PEs: built and run in {s:F3} s, {bytes / (double)vcpus:F0} B of heap per vCPU (the 64 PEs included)");
    }

    private static long Heap()
    {
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        return GC.GetTotalMemory(true);
    }
}
