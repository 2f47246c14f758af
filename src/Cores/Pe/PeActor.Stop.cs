using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>
/// Powering the machine off (PSCI SYSTEM_OFF): KVM asks every vCPU to stop, kicking the running ones
/// out of the guest; a realm vCPU stops only once it is out of its REC, since KVM can destroy a REC
/// only then. Each PE tells KVM's realm host when its vCPU has stopped.
/// </summary>
public sealed partial class PeActor
{
    private bool _stopRequested, _stopped;

    /// <summary>KVM handled this vCPU's SYSTEM_OFF: every other vCPU is asked to stop, this one stops now.</summary>
    private void PowerOffMachine(ISimContext ctx)
    {
        foreach (var pe in _s.PeOfVcpu)
            if (pe != ctx.Self) ctx.Send(pe, PeKinds.StopVcpu, 0);
        _stopRequested = true;
    }

    private void OnStopRequest(ISimContext ctx)
    {
        if (_stopped || _vcpu == null) return;
        _stopRequested = true;
        switch (Mode)
        {
            case PeMode.Guest: InterruptGuest(ctx); break;               // kicked out; stops once KVM has it
            case PeMode.MemoryStall: _irqWhileStalled = true; break;      // exits when the access returns
            case PeMode.Blocked or PeMode.Off:
                Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
                Stop(ctx);
                break;
            case PeMode.Idle:
                Ledger.ChargeUntil(TimeCategory.Idle, ctx.Now.Picoseconds);
                StopOrKick(ctx);
                break;
            // PeMode.Flow: it reaches NextHostWork (or its entry's end) and stops there.
        }
    }

    /// <summary>Stops the vCPU, unless it is still inside its REC (a realm whose program ended there): then a kick makes the REC exit first.</summary>
    private void StopOrKick(ISimContext ctx)
    {
        if (_inRec) GuestIrq(ctx);
        else Stop(ctx);
    }

    private void Stop(ISimContext ctx)
    {
        _stopRequested = false;
        Mode = PeMode.Idle;
        if (_stopped) return;
        _stopped = true;
        Stats.Stopped = ctx.Now;
        if (_s.KvmHost >= 0) ctx.Send(_s.KvmHost, PeKinds.VcpuStopped, _vcpu!.Index);
    }
}
