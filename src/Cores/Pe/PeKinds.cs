namespace VirtCca.Cores.Pe;

/// <summary>Event kinds a PE handles besides the device and TMM replies (GIC 0x63xx, TZASC 0x61xx, SMC 0x51xx).</summary>
public static class PeKinds
{
    /// <summary>Self: the running flow's current local steps are over (arg = token).</summary>
    public const int FlowStep = 0x4001;
    /// <summary>Self: the guest's compute segment ends (arg = token).</summary>
    public const int GuestStop = 0x4002;
    /// <summary>Self: a generic timer's condition became true (arg = generation &lt;&lt; 1 | timer kind).</summary>
    public const int TimerFire = 0x4003;
    /// <summary>PE → PE: KVM's vGIC made a virtual interrupt pending for a vCPU this PE runs (arg = vCPU &lt;&lt; 16 | vINTID).</summary>
    public const int VirtualIrq = 0x4004;
    /// <summary>Host software → PE: execute an SMC at NS-EL2 (data = SmcRequest); answered with <see cref="HostSmcDone"/> (data = SmcReply).</summary>
    public const int HostSmc = 0x4005;
    public const int HostSmcDone = 0x4006;
    /// <summary>Host software → PE: arm the physical timer arg counter ticks from now.</summary>
    public const int ArmPhysicalTimer = 0x4007;
    /// <summary>PE → PE: PSCI CPU_ON powers this PE on.</summary>
    public const int PowerOn = 0x4008;
    /// <summary>KVM → PE: the vCPU may run now (its realm is active); see <see cref="PeSetup.WaitsForKvm"/>.</summary>
    public const int StartVcpu = 0x4009;
    /// <summary>PE → PE: the guest powered the machine off; stop your vCPU (KVM's request to every vCPU, with a kick).</summary>
    public const int StopVcpu = 0x400A;
    /// <summary>PE → KVM: this PE's vCPU has stopped and is out of its REC (arg = vCPU index).</summary>
    public const int VcpuStopped = 0x400B;

    /// <summary>The SGI the host uses to kick another CPU out of its guest (Linux's IPI_RESCHEDULE).</summary>
    public const int KickSgi = 0;
}
