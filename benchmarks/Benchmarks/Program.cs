using BenchmarkDotNet.Running;

namespace VirtCca.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/Benchmarks -- scale [N]   (retained bytes per idle component)
    // dotnet run -c Release --project benchmarks/Benchmarks -- phold-ratios [REPS]   (fastest of interleaved runs)
    // dotnet run -c Release --project benchmarks/Benchmarks -- machine-scale [N ...]   (machine build/run time and heap per PE+vCPU)
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "machine-scale")
        {
            var sizes = args.Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            MachineScale.Run(sizes.Count > 0 ? sizes : [1024, 2048, 4096, 8192, 16384]);
            return;
        }
        if (args.Length > 0 && args[0] == "phold-ratios")
        {
            PholdRatios.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
            return;
        }
        if (args.Length > 0 && args[0] == "scale")
        {
            KernelScaleBenchmarks.Retained(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
