using BenchmarkDotNet.Running;

namespace VirtCca.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/Benchmarks -- scale [N]   (retained bytes per idle component)
    // dotnet run -c Release --project benchmarks/Benchmarks -- phold-ratios [REPS]   (fastest of interleaved runs)
    public static void Main(string[] args)
    {
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
