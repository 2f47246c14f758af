using BenchmarkDotNet.Running;

namespace VirtCca.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/Benchmarks -- --filter '*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
