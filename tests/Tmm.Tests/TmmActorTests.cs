using Akka.Actor;
using Akka.Configuration;
using Google.Protobuf;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Tmm.Actor;
using VirtCca.SecureMonitor;
using VirtCca.SecureMonitor.Protocol;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>The TMM as a kernel component: RMI calls arrive as Protobuf messages and are answered after their cost.</summary>
public sealed class TmmActorTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("tmm-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>A host CPU: sends its calls at t = 0, 1 us, 2 us ... and records (time, fid, X0, X1).</summary>
    private sealed class Host(int tmm, ulong[][] calls, List<string> log) : Component
    {
        public override void Start(ISimContext ctx)
        {
            for (int i = 0; i < calls.Length; i++) ctx.Schedule(SimTime.FromMicroseconds(i), 1, i);
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            if (ev.Kind == 1)
            {
                var c = calls[ev.Arg];
                var call = new SmcRequest { Fid = c[0], X1 = c.Length > 1 ? c[1] : 0 };
                ctx.Send(tmm, SmcKinds.Request, data: call.ToByteArray());
            }
            else
            {
                var r = ev.PayloadAs<SmcReply>();
                log.Add($"{ev.Time}:{r.Fid:X}:{r.X0:X}:{r.X1:X}:{r.TmmPicoseconds}");
            }
        }
    }


    private static (FactoryModel, List<string>, Func<TmmActor>) Build()
    {
        var log = new List<string>();
        TmmActor? tmm = null;
        var b = new Topology.Builder();
        int host = b.Add("pe0"), t = b.Add("tmm");
        b.Link(host, t, SimTime.FromNanoseconds(400)); // stands for the world switch the monitor charges
        ulong[][] calls = [[RmiFid.Version, 0x10000], [RmiFid.GranuleDelegate, 0x8000_0000], [RmiFid.GranuleDelegate, 0x8000_0000], [0xC4000156]];
        var model = new FactoryModel("test", b.Build(), id => id == host ? new Host(t, calls, log) : tmm = new TmmActor(new Rmm(), new TmmCosts()));
        return (model, log, () => tmm!);
    }

    [Fact]
    public void Calls_are_answered_after_link_plus_command_cost_with_the_rmi_registers()
    {
        var (model, log, tmm) = Build();
        LocalEngine.Run(model, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        // 300 cycles at 2.6 GHz = 115,384.6 ps -> 115,385 ps; there and back over 400 ns links.
        Assert.Equal(new[]
        {
            "915385:C4000150:0:10000:115385",
            "1915385:C4000151:0:0:115385",
            "2915385:C4000151:1:0:115385",            // already delegated: RMI_ERROR_INPUT
            "3915385:C4000156:FFFFFFFFFFFFFFFF:0:115385", // SMC_UNKNOWN
        }, log);
        Assert.Equal(4, tmm().Calls);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = SequentialEngine.Run(Build().Item1, new KernelSettings());
        var b = LocalEngine.Run(Build().Item1, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        Assert.Equal(a.Digest, b.Digest);
    }
}
