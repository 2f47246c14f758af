namespace VirtCca.Kvm.Host;

/// <summary>
/// Events between KVM's pieces (0x70xx): the per-CPU host code on each PE, the guests' VMMs, and the
/// vGIC traffic between CPUs. Arguments name vCPUs by their component id.
/// </summary>
public static class KvmKinds
{
    /// <summary>→ a PE: the vGIC made a virtual interrupt pending for a vCPU it hosts (arg = vCPU component &lt;&lt; 16 | vINTID).</summary>
    public const int VirtualIrq = 0x7001;
    /// <summary>→ a PE: a vCPU it hosts may run (its realm is active, or a CPU_ON brought it up) (arg = vCPU component).</summary>
    public const int StartVcpu = 0x7002;
    /// <summary>VMM → a PE: stop this vCPU (the guest powered off or resets) (arg = vCPU component).</summary>
    public const int StopVcpu = 0x7003;
    /// <summary>PE → VMM: that vCPU has stopped and is out of its REC (arg = vCPU component).</summary>
    public const int VcpuStopped = 0x7004;
    /// <summary>VMM → a PE: execute an SMC for me at NS-EL2 (payload SmcRequest; arg = phase); answered with <see cref="HostSmcDone"/> (payload SmcReply).</summary>
    public const int HostSmc = 0x7005;
    public const int HostSmcDone = 0x7006;
    /// <summary>A PE's KVM → VMM: the guest called PSCI SYSTEM_OFF or SYSTEM_RESET (arg = calling vCPU component &lt;&lt; 1 | reset).</summary>
    public const int GuestPower = 0x7007;
    /// <summary>VMM → its host PE: create (arg = guest &lt;&lt; 1 | 0) or destroy (guest &lt;&lt; 1 | 1) the guest's realm; answered with <see cref="VmmDone"/> (same arg).</summary>
    public const int VmmRequest = 0x700A;
    public const int VmmDone = 0x700B;
    /// <summary>VMM → a PE: the guest was reset; the vCPU starts over as not started (arg = vCPU component).</summary>
    public const int ResetVcpu = 0x700C;
    /// <summary>Self: KVM's soft timer for a vCPU that is not running (arg = vCPU component &lt;&lt; 16 | generation).</summary>
    public const int SoftTimer = 0x7008;
    /// <summary>Self: the running vCPU's time slice is over (arg = slice token).</summary>
    public const int SliceEnd = 0x7009;

    public static bool IsKvm(int kind) => kind is >= 0x7000 and < 0x7100;

    /// <summary>The SGI the host uses to kick another CPU out of its guest (Linux's IPI_RESCHEDULE).</summary>
    public const int KickSgi = 0;

    public const long Create = 0, Destroy = 1;
}
