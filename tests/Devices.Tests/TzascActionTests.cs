using VirtCca.Devices.Tzasc;

namespace VirtCca.Devices.Tests;

/// <summary>TZC-400's ACTION register: bus error or read-as-zero/write-ignored, with or without the interrupt.</summary>
public sealed class TzcActionTests
{
    private const ulong Secret = 0x1_0000_0000;

    private static Tzc400 WithSecretRegion(TzcAction action)
    {
        var tzc = new Tzc400(action: action);
        Assert.True(tzc.Program(1, new TzascRegion(true, Secret, Secret + 0x1000, RegionAccess.SecureOnly), secure: true, out _));
        return tzc;
    }

    [Fact]
    public void Refusals_are_counted_in_every_action_and_interrupts_only_when_the_action_asks()
    {
        var tzc = WithSecretRegion(TzcAction.RazWi);
        Assert.False(tzc.Check(Secret, 8, secure: false, write: true));   // still refused: raz-wi is only the answer
        Assert.Equal((1L, 0L), (tzc.RefusedAccesses, tzc.InterruptsRaised));
        Assert.True(tzc.SetAction(TzcAction.RazWiInterrupt, secure: true));
        Assert.False(tzc.Check(Secret, 8, secure: false, write: false));
        Assert.False(tzc.Check(Secret, 8, secure: false, write: true));
        Assert.True(tzc.Check(Secret, 8, secure: true, write: true));
        Assert.Equal((3L, 2L), (tzc.RefusedAccesses, tzc.InterruptsRaised));
    }

    [Fact]
    public void Only_the_secure_world_may_write_the_action_register()
    {
        var tzc = WithSecretRegion(TzcAction.BusError);
        Assert.False(tzc.SetAction(TzcAction.RazWi, secure: false));
        Assert.False(tzc.SetAction((TzcAction)4, secure: true));
        Assert.Equal(TzcAction.BusError, tzc.Action);
        Assert.Equal(2, tzc.RefusedProgramming);
    }

    [Theory]
    [InlineData("bus-error", TzcAction.BusError, true, false)]
    [InlineData("raz-wi", TzcAction.RazWi, false, false)]
    [InlineData("bus-error+interrupt", TzcAction.BusErrorInterrupt, true, true)]
    [InlineData("raz-wi+interrupt", TzcAction.RazWiInterrupt, false, true)]
    public void Action_names_parse_to_the_register_encoding(string name, TzcAction action, bool busError, bool interrupt)
    {
        Assert.Equal(action, TzcActions.Parse(name));
        Assert.Equal((busError, interrupt), (action.IsBusError(), action.RaisesInterrupt()));
    }

    [Fact]
    public void An_unknown_action_name_is_an_error()
    {
        Assert.Contains("raz-wi", Assert.Throws<ArgumentException>(() => TzcActions.Parse("ignore")).Message);
    }
}

/// <summary>The TZASC component under raz-wi: refused writes answer ok and change nothing, refused reads answer zeros.</summary>
public sealed class TzascRazWiActorTests
{
    private const ulong Secret = 0x1_0000_0000;

    [Fact]
    public void Under_raz_wi_a_refused_write_is_ignored_and_a_refused_read_returns_zeros()
    {
        var log = new List<string>();
        TzascActor? tz = null;
        var b = new Topology.Builder();
        int pe = b.Add("pe0"), t = b.Add("tzasc");
        b.Link(pe, t, SimTime.FromNanoseconds(100));
        (int, IMessage)[] script =
        [
            (TzascActor.KindProgram, new TzascProgram { Tag = 1, Region = 1, Base = Secret, Top = Secret + 0x1000, Enabled = true, SecureRead = true, SecureWrite = true, Secure = true }),
            (TzascActor.KindWrite, new MemWrite { Tag = 2, Address = Secret, Data = ByteString.CopyFrom(7, 7), Secure = true }),
            (TzascActor.KindSetAction, new TzascSetAction { Tag = 3, Action = (uint)TzcAction.RazWi, Secure = false }),
            (TzascActor.KindSetAction, new TzascSetAction { Tag = 4, Action = (uint)TzcAction.RazWiInterrupt, Secure = true }),
            (TzascActor.KindWrite, new MemWrite { Tag = 5, Address = Secret, Data = ByteString.CopyFrom(9, 9), Secure = false }),
            (TzascActor.KindRead, new MemRead { Tag = 6, Address = Secret, Size = 2, Secure = false }),
            (TzascActor.KindRead, new MemRead { Tag = 7, Address = Secret, Size = 2, Secure = true }),
        ];
        var model = new FactoryModel("test", b.Build(), id => id == pe ? new Requester(t, script, log)
            : tz = new TzascActor(new Tzc400(), new PhysicalMemory(), new TzascCosts(CheckCycles: 4)));
        SequentialEngine.Run(model, new KernelSettings());
        // 100 ns each way; region 2000 cycles = 769,231 ps; ACTION write 300 cycles = 115,385 ps; a checked access 4 cycles = 1,538 ps.
        Assert.Equal(new[]
        {
            "969231:1:ok:",
            "1201538:2:ok:",
            "2315385:3:bus-error:",        // ACTION from the normal world: refused, still bus-error
            "3315385:4:ok:",
            "4201538:5:ok:",               // refused but answered OKAY: write ignored
            "5201538:6:ok:0000",           // refused read: zeros
            "6201538:7:ok:0707",           // the secret is untouched
        }, log);
        Assert.Equal((2L, 2L, 1L), (tz!.Controller.RefusedAccesses, tz.Controller.InterruptsRaised, tz.Controller.RefusedProgramming));
    }
}
