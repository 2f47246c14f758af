using Google.Protobuf;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// KVM's VMM for one realm. It has one PE execute the plan's RMI calls one after another (each an SMC
/// through EL3 to the TMM, at its cost), refuses to go on after any failure, and once REALM_ACTIVATE
/// has succeeded tells the vCPUs' PEs to enter their RECs. When the guest powers off and every vCPU
/// has stopped, it destroys the realm the same way (the plan's teardown).
/// </summary>
public sealed class RealmLauncher(RealmPlan plan, int hostPe, IReadOnlyList<int> startPes) : Component
{
    private IReadOnlyList<RmiCall> _calls = plan.Calls;
    private int _next;
    private readonly HashSet<long> _stopped = new();

    /// <summary>When REALM_ACTIVATE returned (zero until then).</summary>
    public SimTime ActivatedAt { get; private set; }
    /// <summary>When the last teardown call returned (zero unless the guest powered off).</summary>
    public SimTime DestroyedAt { get; private set; }
    /// <summary>When the last vCPU stopped after the guest's SYSTEM_OFF (zero unless it did).</summary>
    public SimTime AllStoppedAt { get; private set; }
    public int CallsMade { get; private set; }

    public override void Start(ISimContext ctx) => Issue(ctx);

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case PeKinds.HostSmcDone: OnDone(ctx, SmcReply.Parser.ParseFrom(ev.Data.AsSpan())); break;
            case PeKinds.VcpuStopped:
                if (!_stopped.Add(ev.Arg) || _stopped.Count < plan.Vcpus.Count) break;
                AllStoppedAt = ctx.Now;
                _calls = plan.Teardown;
                _next = 0;
                Issue(ctx);
                break;
            default: throw new SimulationException($"KVM's realm host got event kind 0x{ev.Kind:X}");
        }
    }

    private void OnDone(ISimContext ctx, SmcReply reply)
    {
        var call = _calls[_next - 1];
        string phase = _calls == plan.Calls ? "creation" : "destruction";
        if (reply.X0 != 0)
            throw new SimulationException(
                $"KVM's realm {phase} failed at call {_next} of {_calls.Count}, {call.Name}: status 0x{reply.X0:X} ({(reply.Error.Length > 0 ? reply.Error : "no reason given")})");
        if (_next < _calls.Count) { Issue(ctx); return; }
        if (_calls == plan.Calls)
        {
            ActivatedAt = ctx.Now;
            foreach (var pe in startPes) ctx.Send(pe, PeKinds.StartVcpu, 0);
        }
        else DestroyedAt = ctx.Now;
    }

    private void Issue(ISimContext ctx)
    {
        var call = _calls[_next++];
        CallsMade++;
        ulong A(int i) => i < call.Args.Length ? call.Args[i] : 0;
        var request = new SmcRequest { Fid = call.Fid, X1 = A(0), X2 = A(1), X3 = A(2), X4 = A(3), X5 = A(4) };
        foreach (var (address, data) in call.Pages) request.Pages.Add(new NsPage { Address = address, Data = ByteString.CopyFrom(data) });
        ctx.Send(hostPe, PeKinds.HostSmc, 0, request.Encode());
    }
}
