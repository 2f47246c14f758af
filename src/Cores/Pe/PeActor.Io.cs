using VirtCca.Cores.Host;
using VirtCca.Cores.Io;
using VirtCca.Cores.Workloads;
using VirtCca.Devices;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Cores.Pe;

/// <summary>
/// The PE running guest I/O: the guest's drivers (<see cref="GuestIo"/>) decide each step; their
/// cycles run as guest code, a notify is an MMIO write that traps (a normal VM's data abort to KVM,
/// a realm's to the TMM, which exits with an emulatable abort), and waiting for a completion is WFI.
/// It also runs the host work of device backends whose thread lives on this PE.
/// </summary>
public sealed partial class PeActor : IIoCpu
{
    private static readonly Wfi WaitForIo = new();
    private int _hostThreadJobs; // backend work queued here that has not started: a guest entered meanwhile leaves at once

    SimRandom IIoCpu.Random => _ctx.Random;

    void IIoCpu.Send(int target, int kind, long arg, object? payload, SimTime extraDelay) => _ctx.Send(target, kind, arg, payload, extraDelay);

    /// <summary>An I/O operation's turn; false if the guest stopped running (the notify's trap, or WFI).</summary>
    private bool PerformIo(Op op)
    {
        var v = _guest!;
        var io = v.Io ?? throw new SimulationException($"vCPU {v.Identity} runs {op}, but its guest has no devices");
        switch (io.Perform(v, op, this))
        {
            case IoOutcome.Continue: return true;
            case IoOutcome.Notify:
                var n = (IoNotify)op;
                Fault(n.Address | v.Layout.UnprotectedIpaBit, 4, write: true, n.Data);
                return false;
            default:
                // The operation stays where it is: after the interrupt the guest checks again.
                if (v.IsRealm) TrapToTmm(GuestTraps.ToRealm(WaitForIo, v, _rec, CpuState(v)));
                else VmTrap(GuestTraps.ToVm(WaitForIo, v).Esr);
                return false;
        }
    }

    /// <summary>The vCPU took its list registers: its drivers' handlers go first.</summary>
    private void IoInterruptsTaken(Vcpu.VcpuActor v) => v.Io?.Taken(v, Now.Picoseconds);

    /// <summary>
    /// A device backend's host thread, scheduled on this PE, has work: it runs at NS-EL2 as host time,
    /// and a vCPU in the guest here is preempted for it (the woken thread takes the CPU).
    /// </summary>
    private void OnHostWork(int backend, long cycles)
    {
        _hostQueue.Enqueue(HostThreadWork(backend, cycles));
        _hostThreadJobs++;
        switch (State)
        {
            case PeState.Idle:
                if (_guest != null) { InterruptGuest(); return; }
                Ledger.IdleUntil(Now.Picoseconds, _host?.AllFinished ?? true);
                ContinueHost();
                return;
            case PeState.Guest or PeState.GuestStalled:
                InterruptGuest();
                return;
        }
    }

    /// <summary>Backend work waits here: a guest about to run is interrupted as soon as it starts.</summary>
    private bool HostThreadWaiting => _hostThreadJobs > 0;

    private IEnumerable<HostOp> HostThreadWork(int backend, long cycles)
    {
        _hostThreadJobs--;
        yield return HostOp.Work(cycles, "a device backend's host thread", TimeCategory.Kvm);
        yield return HostOp.Send(backend, DeviceKinds.HostWorkDone, cycles);
    }
}
