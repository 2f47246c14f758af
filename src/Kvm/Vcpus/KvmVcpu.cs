using VirtCca.Cores.Vcpu;
using VirtCca.Kvm.Exits;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Vgic;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Vcpus;

/// <summary>Where a vCPU stands for KVM's scheduler.</summary>
public enum VcpuPower
{
    /// <summary>Not started yet: its realm is being created, or it waits for a PSCI CPU_ON.</summary>
    NotStarted,
    On,
    /// <summary>PSCI CPU_OFF: waits for another vCPU's CPU_ON.</summary>
    Off,
    /// <summary>Stopped for good by a SYSTEM_OFF (or until a SYSTEM_RESET restarts the guest).</summary>
    Stopped,
}

/// <summary>
/// KVM's structure for one vCPU (struct kvm_vcpu): its power state, whether it is blocked in WFI, what
/// the next entry must carry (entry flags, results for the guest), its virtual GIC state, and the
/// counters reports read. It lives with the CPU that runs the vCPU's thread.
/// </summary>
public sealed class KvmVcpu(KvmGuest guest, int index, VcpuActor vcpu)
{
    public KvmGuest Guest { get; } = guest;
    public int Index { get; } = index;
    public VcpuActor Vcpu { get; } = vcpu;
    public VgicCpu Vgic { get; } = new();

    public VcpuPower Power { get; set; } = VcpuPower.NotStarted;
    /// <summary>In WFI (or CPU_SUSPEND) until a virtual interrupt is pending.</summary>
    public bool Blocked { get; set; }
    /// <summary>The VMM asked it to stop; it stops once it is out of the guest.</summary>
    public bool StopRequested { get; set; }
    /// <summary>A realm vCPU whose REC_ENTER succeeded and has not returned: it is inside its REC.</summary>
    public bool InRec { get; set; }
    /// <summary>KVM chose it to enter and it has not exited since (vcpu->mode IN_GUEST_MODE): an interrupt for it needs a kick.</summary>
    public bool InGuest { get; set; }

    /// <summary>What the next REC_ENTER carries (realm): entry flags and X0.. for the realm (an MMIO read's value, a host call's results).</summary>
    public RecEntryFlags EntryFlags { get; set; }
    public ulong[] EntryGprs { get; } = new ulong[31];

    /// <summary>Soft timer (KVM's emulation of the vCPU's virtual timer while it does not run): its generation, to void stale fires.</summary>
    public long TimerGeneration { get; set; }

    /// <summary>When it last became runnable while waiting for its CPU (-1: not waiting), and the time it waited in all.</summary>
    public long WaitingSince { get; set; } = -1;
    public long WaitPicoseconds { get; set; }

    /// <summary>A malicious KVM's hook in this vCPU's run loop (security experiments); the hook whose tampered entry is in flight.</summary>
    public Attacks.IRunLoopAttack? Attack { get; set; }
    public Attacks.IRunLoopAttack? TamperedEntry { get; set; }

    public long[] Exits { get; } = new long[Enum.GetValues<ExitKind>().Length];
    public long ExitsTotal => Exits.Sum();
    public long Entries { get; set; }
    public long IpisSent { get; set; }
    public long Stage2Faults { get; set; }
    /// <summary>When it stopped for a SYSTEM_OFF (zero while it has not).</summary>
    public long StoppedAt { get; set; }

    public ulong Rec => Guest.Realm?.Recs[Index] ?? throw new InvalidOperationException($"{this} has no REC");
    public ulong Run => Guest.Realm?.Runs[Index] ?? throw new InvalidOperationException($"{this} has no run page");

    /// <summary>Could run now if it had a CPU.</summary>
    public bool Runnable => Power == VcpuPower.On && !StopRequested && !(Blocked && !Vgic.HasPending) && !Vcpu.Finished;

    /// <summary>Nothing more will happen on it: its program ended or it was stopped.</summary>
    public bool Finished => Power == VcpuPower.Stopped || Vcpu.Finished;

    /// <summary>The guest was reset: nothing KVM held for the old incarnation carries over.</summary>
    public void Reset()
    {
        Vgic.Clear();
        Blocked = StopRequested = InRec = InGuest = false;
        EntryFlags = RecEntryFlags.None;
        Array.Clear(EntryGprs);
        TimerGeneration++;
    }

    public override string ToString() => $"vCPU {Index} of {Guest.Name}";
}
