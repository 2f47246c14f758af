using Google.Protobuf;
using VirtCca.Cores.Pe;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// KVM's VMM creating a realm: it has one PE execute the plan's RMI calls one after another (each an
/// SMC through EL3 to the TMM, at its cost), refuses to go on after any failure, and once
/// REALM_ACTIVATE has succeeded tells every vCPU's PE to enter its REC.
/// </summary>
public sealed class RealmLauncher(RealmPlan plan, int hostPe, IReadOnlyList<int> vcpuPes) : Component
{
    private int _next;

    /// <summary>When REALM_ACTIVATE returned (zero until then).</summary>
    public SimTime ActivatedAt { get; private set; }
    public int CallsMade => _next;

    public override void Start(ISimContext ctx) => Issue(ctx);

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        if (ev.Kind != PeKinds.HostSmcDone) throw new SimulationException($"KVM's realm launcher got event kind 0x{ev.Kind:X}");
        var reply = SmcReply.Parser.ParseFrom(ev.Data.AsSpan());
        var call = plan.Calls[_next - 1];
        if (reply.X0 != 0)
            throw new SimulationException(
                $"KVM's realm creation failed at call {_next} of {plan.Calls.Count}, {call.Name}: status 0x{reply.X0:X} ({(reply.Error.Length > 0 ? reply.Error : "no reason given")})");
        if (_next < plan.Calls.Count) { Issue(ctx); return; }
        ActivatedAt = ctx.Now;
        foreach (var pe in vcpuPes) ctx.Send(pe, PeKinds.StartVcpu, 0);
    }

    private void Issue(ISimContext ctx)
    {
        var call = plan.Calls[_next++];
        ulong A(int i) => i < call.Args.Length ? call.Args[i] : 0;
        var request = new SmcRequest { Fid = call.Fid, X1 = A(0), X2 = A(1), X3 = A(2), X4 = A(3), X5 = A(4) };
        foreach (var (address, data) in call.Pages) request.Pages.Add(new NsPage { Address = address, Data = ByteString.CopyFrom(data) });
        ctx.Send(hostPe, PeKinds.HostSmc, 0, request.Encode());
    }
}
