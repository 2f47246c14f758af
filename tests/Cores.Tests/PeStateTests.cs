using VirtCca.Cores.Pe;

namespace VirtCca.Cores.Tests;

/// <summary>The PE's states change only along the transitions its flows allow.</summary>
public sealed class PeStateTests
{
    [Theory]
    [InlineData(PeState.Guest, PeState.Switching)]      // a trap starts a flow
    [InlineData(PeState.Switching, PeState.AwaitingTmm)] // a flow reaches the TMM's step
    [InlineData(PeState.AwaitingTmm, PeState.Guest)]     // the TMM resumes the realm
    [InlineData(PeState.Guest, PeState.GuestStalled)]    // a load goes to memory
    [InlineData(PeState.Host, PeState.Guest)]            // KVM enters a normal VM
    [InlineData(PeState.Switching, PeState.Off)]         // PSCI CPU_OFF returns into power-down
    public void The_flows_transitions_are_allowed(PeState from, PeState to) => Assert.True(PeTransitions.IsAllowed(from, to));

    [Theory]
    [InlineData(PeState.Off, PeState.Guest)]             // a powered-off CPU runs nothing
    [InlineData(PeState.Guest, PeState.Host)]            // the guest never reaches the host but through a trap flow
    [InlineData(PeState.GuestStalled, PeState.Host)]
    [InlineData(PeState.AwaitingTmm, PeState.Idle)]      // the TMM's answer is always taken
    [InlineData(PeState.Idle, PeState.AwaitingTmm)]      // nobody waits for the TMM without having sent to it
    [InlineData(PeState.Host, PeState.GuestStalled)]
    public void Anything_else_is_refused(PeState from, PeState to) => Assert.False(PeTransitions.IsAllowed(from, to));

    [Fact]
    public void Every_state_has_a_way_out_and_none_is_a_dead_end_but_by_design()
    {
        foreach (var s in Enum.GetValues<PeState>())
            Assert.Contains(Enum.GetValues<PeState>(), t => t != s && PeTransitions.IsAllowed(s, t));
    }
}
