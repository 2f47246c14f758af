using VirtCca.Devices.Tzasc;

namespace VirtCca.Devices.Tests;

public sealed class Tzc400Tests
{
    [Fact]
    public void A_secure_region_refuses_non_secure_accesses_and_counts_them()
    {
        var tzc = new Tzc400();
        Assert.True(tzc.Program(1, new TzascRegion(true, 0x1_0000_0000, 0x1_1000_0000, RegionAccess.SecureOnly), secure: true, out _));
        Assert.False(tzc.Check(0x1_0000_0000, 8, secure: false, write: false));
        Assert.False(tzc.Check(0x1_0FFF_F000, 8, secure: false, write: true));
        Assert.True(tzc.Check(0x1_0000_0000, 8, secure: true, write: true));
        Assert.True(tzc.Check(0x8000_0000, 8, secure: false, write: true)); // background region: open
        Assert.False(tzc.Check(0xFFFF_FFF8, 16, secure: false, write: false)); // spans into the region
        Assert.Equal(3, tzc.RefusedAccesses);
    }

    [Fact]
    public void Only_the_secure_world_may_program_it_and_bad_programming_is_refused()
    {
        var tzc = new Tzc400(regions: 8);
        var r = new TzascRegion(true, 0x1000, 0x2000, RegionAccess.SecureOnly);
        Assert.False(tzc.Program(1, r, secure: false, out var why));
        Assert.Contains("secure world", why);
        Assert.False(tzc.Region(1).Enabled);
        Assert.False(tzc.Program(9, r, secure: true, out why));  // 8 regions + background
        Assert.False(tzc.Program(0, r, secure: true, out why));  // the background region is not programmable here
        Assert.False(tzc.Program(1, r with { Base = 0x1800 }, secure: true, out why));
        Assert.Equal(4, tzc.RefusedProgramming);
    }

    [Fact]
    public void The_highest_numbered_enabled_region_decides()
    {
        var tzc = new Tzc400();
        Assert.True(tzc.Program(1, new TzascRegion(true, 0x0, 0x10000, RegionAccess.SecureOnly), true, out _));
        Assert.True(tzc.Program(2, new TzascRegion(true, 0x4000, 0x5000, RegionAccess.All), true, out _));
        Assert.True(tzc.Check(0x4000, 4, secure: false, write: false));
        Assert.False(tzc.Check(0x5000, 4, secure: false, write: false));
    }
}

/// <summary>The TZASC as a component: transactions and programming as Protobuf messages, answered after the configured costs.</summary>
public sealed class TzascActorTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("tzasc-tests",
        ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(PartitionDispatcher.Configuration));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private static (FactoryModel, List<string>, Func<TzascActor>) Build()
    {
        var log = new List<string>();
        TzascActor? tz = null;
        var b = new Topology.Builder();
        int pe = b.Add("pe0"), t = b.Add("tzasc");
        b.Link(pe, t, SimTime.FromNanoseconds(100));
        const ulong Secret = 0x1_0000_0000;
        (int, IMessage)[] script =
        [
            (TzascActor.KindProgram, new TzascProgram { Tag = 1, Region = 1, Base = Secret, Top = Secret + 0x100_0000, Enabled = true, SecureRead = true, SecureWrite = true, Secure = false }),
            (TzascActor.KindProgram, new TzascProgram { Tag = 2, Region = 1, Base = Secret, Top = Secret + 0x100_0000, Enabled = true, SecureRead = true, SecureWrite = true, Secure = true }),
            (TzascActor.KindWrite, new MemWrite { Tag = 3, Address = Secret, Data = ByteString.CopyFrom(7, 7), Secure = true }),
            (TzascActor.KindWrite, new MemWrite { Tag = 4, Address = Secret, Data = ByteString.CopyFrom(9, 9), Secure = false }),
            (TzascActor.KindRead, new MemRead { Tag = 5, Address = Secret, Size = 2, Secure = false }),
            (TzascActor.KindRead, new MemRead { Tag = 6, Address = Secret, Size = 2, Secure = true }),
        ];
        var model = new FactoryModel("test", b.Build(), id => id == pe ? new Requester(t, script, log)
            : tz = new TzascActor(new Tzc400(), new PhysicalMemory(), new TzascCosts(CheckCycles: 4)));
        return (model, log, () => tz!);
    }

    [Fact]
    public void A_non_secure_write_to_a_secure_region_is_a_bus_error_and_leaves_the_data_unchanged()
    {
        var (model, log, tz) = Build();
        LocalEngine.Run(model, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        // Link 100 ns each way; programming 2000 cycles at 2.6 GHz = 769,231 ps; a checked access 4 cycles = 1,538 ps.
        Assert.Equal(new[]
        {
            "969231:1:bus-error:",        // programmed from the normal world: refused
            "1969231:2:ok:",              // from the secure world
            "2201538:3:ok:",
            "3201538:4:bus-error:",       // non-secure write into the secure region
            "4201538:5:bus-error:",       // non-secure read: refused
            "5201538:6:ok:0707",               // the secure world still reads its own data
        }, log);
        Assert.Equal(2, tz().Controller.RefusedAccesses);
        Assert.Equal(1, tz().Controller.RefusedProgramming);
    }

    [Fact]
    public void Both_engines_agree()
    {
        var a = SequentialEngine.Run(Build().Item1, new KernelSettings());
        var b = LocalEngine.Run(Build().Item1, new KernelSettings { Partitions = 2, Threads = 2 }, _system);
        Assert.Equal(a.Digest, b.Digest);
    }
}
