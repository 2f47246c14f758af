namespace VirtCca.Kvm.Tests;

/// <summary>A request loop's iterations are requests: each lasts from its start until the guest runs again after its last operation.</summary>
public sealed class RequestLatencyTests
{
    [Fact]
    public void A_request_that_ends_in_a_trap_lasts_until_its_exit_is_handled()
    {
        // A null hypercall: the trap (530 cycles) and KVM's handling (530); the first request starts when the vCPU first runs.
        var m = Machines.Run(PlatformConfiguration.Baseline, [new Loop(3, [new Compute(1_000), new Hypercall()], Requests: true), new Compute(5_000)]);
        var h = m.Kvm(0).Vcpu.RequestLatency;
        Assert.Equal(3, h.Count);
        Assert.Equal(3 * (Machines.Ps(1_000) + 2 * Machines.Ps(530)), (long)h.Sum);
        Assert.Equal(h.Min, h.Max);
    }

    [Fact]
    public void Loops_that_are_not_requests_record_nothing()
    {
        var m = Machines.Run(PlatformConfiguration.Baseline, [new Loop(3, [new Hypercall()])]);
        Assert.Equal(0, m.Kvm(0).Vcpu.RequestLatency.Count);
    }
}
