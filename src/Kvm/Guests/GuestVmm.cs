using VirtCca.Interconnect;
using VirtCca.Kvm.Host;

namespace VirtCca.Kvm.Guests;

/// <summary>
/// The VMM of one guest (KVM's user-space side: QEMU's machine control). For a realm it has KVM create
/// the realm on the guest's first CPU, then starts the vCPUs (all, or vCPU 0 with PSCI boot). When the
/// guest powers off it stops every vCPU and, once all have stopped, has KVM destroy the realm so that
/// every granule is the host's again; a reset does the same and then builds the guest again.
/// </summary>
public sealed class GuestVmm(KvmGuest vm, int hostPe) : Component
{
    private readonly HashSet<long> _stopped = new();
    private bool _stopping, _reset;

    public KvmGuest Guest { get; } = vm;
    /// <summary>When the realm became active (its creation's last call returned), zero until then.</summary>
    public SimTime ActivatedAt { get; private set; }
    /// <summary>When the last vCPU stopped after a SYSTEM_OFF or SYSTEM_RESET (zero unless one happened).</summary>
    public SimTime AllStoppedAt { get; private set; }
    /// <summary>When the realm's destruction finished (zero unless it was destroyed).</summary>
    public SimTime DestroyedAt { get; private set; }
    public int Resets { get; private set; }

    public override void Start(ISimContext ctx)
    {
        if (Guest.IsRealm) ctx.Send(hostPe, KvmKinds.VmmRequest, (long)Guest.Id << 1 | KvmKinds.Create);
    }

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case KvmKinds.VmmDone when (ev.Arg & 1) == KvmKinds.Create:
                ActivatedAt = ctx.Now;
                StartVcpus(ctx);
                break;
            case KvmKinds.VmmDone:
                DestroyedAt = ctx.Now;
                if (_reset) Rebuild(ctx);
                break;
            case KvmKinds.GuestPower:
                if (_stopping) break; // a second vCPU's SYSTEM_OFF while the first is being carried out
                _stopping = true;
                _reset = (ev.Arg & 1) == 1;
                _stopped.Clear();
                long caller = ev.Arg >> 1;
                for (int v = 0; v < Guest.VcpuCount; v++)
                    if (Guest.VcpuComponent[v] != caller) ctx.Send(Guest.PeOfVcpu[v], KvmKinds.StopVcpu, Guest.VcpuComponent[v]);
                break;
            case KvmKinds.VcpuStopped:
                if (!_stopped.Add(ev.Arg) || _stopped.Count < Guest.VcpuCount) break;
                AllStoppedAt = ctx.Now;
                if (Guest.IsRealm) ctx.Send(hostPe, KvmKinds.VmmRequest, (long)Guest.Id << 1 | KvmKinds.Destroy);
                else if (_reset) Rebuild(ctx);
                break;
            default:
                throw new SimulationException($"the VMM of {Guest.Name} got event kind 0x{ev.Kind:X}");
        }
    }

    /// <summary>After a reset: every vCPU starts over, the realm is created again (a normal VM's memory is unmapped), then they start.</summary>
    private void Rebuild(ISimContext ctx)
    {
        Resets++;
        _stopping = _reset = false;
        for (int v = 0; v < Guest.VcpuCount; v++) ctx.Send(Guest.PeOfVcpu[v], KvmKinds.ResetVcpu, Guest.VcpuComponent[v]);
        if (Guest.IsRealm) ctx.Send(hostPe, KvmKinds.VmmRequest, (long)Guest.Id << 1 | KvmKinds.Create);
        else
        {
            Guest.Stage2?.Clear();
            StartVcpus(ctx);
        }
    }

    private void StartVcpus(ISimContext ctx)
    {
        int n = Guest.PsciBoot ? 1 : Guest.VcpuCount;
        for (int v = 0; v < n; v++) ctx.Send(Guest.PeOfVcpu[v], KvmKinds.StartVcpu, Guest.VcpuComponent[v]);
    }
}
