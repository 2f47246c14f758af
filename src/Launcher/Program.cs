using System.CommandLine;
using VirtCca.Launcher.Cluster;
using VirtCca.Launcher.Run;
using VirtCca.Launcher.Token;

namespace VirtCca.Launcher;

public static class Program
{
    public static int Main(string[] args)
    {
        // System.CommandLine's own handler would print a stack trace: ours below says it in one line.
        try { return Build(Console.Out, Console.Error).Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
        catch (Exception e) when (Environment.GetEnvironmentVariable("VIRTCCA_DEBUG") != "1")
        {
            // A bug of ours, not the user's input: say so in one line; VIRTCCA_DEBUG=1 shows the stack trace.
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message} (set VIRTCCA_DEBUG=1 for details)");
            return 70;
        }
    }

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("virtcca: deterministic parallel simulator of virtCCA platforms");

        var file = new Argument<string>("config") { Description = "experiment HOCON file, e.g. HOCON/experiments/quickstart.conf" };
        var set = new Option<string[]>("--set") { Description = "override a setting: --set sim.threads=2 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var outDir = new Option<string>("--out") { Description = "folder for results.json", DefaultValueFactory = _ => "results" };
        var run = new Command("run", "run an experiment and write DIR/results.json") { file, set, outDir };
        run.SetAction(p => RunCommand.Execute(p.GetValue(file)!, p.GetValue(set) ?? [], p.GetValue(outDir)!, output, error));
        root.Add(run);

        var seeds = new Option<string[]>("--seed-node") { Description = "coordinator address, e.g. akka.tcp://virtcca@127.0.0.1:4053 (repeatable)" };
        var host = new Option<string>("--hostname") { Description = "address to bind", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "port to bind (0: any free port)", DefaultValueFactory = _ => 0 };
        var stdin = new Option<bool>("--exit-with-stdin") { Description = "exit when standard input closes (used by `virtcca run` for the workers it starts)" };
        var worker = new Command("worker", "join a coordinator's cluster and run the partitions it assigns") { seeds, host, port, stdin };
        worker.SetAction(p => WorkerCommand.Execute(p.GetValue(seeds) ?? [], p.GetValue(host)!, p.GetValue(port), p.GetValue(stdin), output, error));
        root.Add(worker);

        root.Add(TokenCommand.Create(output, error));
        return root;
    }
}
