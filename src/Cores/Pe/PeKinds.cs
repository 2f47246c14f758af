namespace VirtCca.Cores.Pe;

/// <summary>
/// Event kinds of the PE's own hardware (0x40xx), besides the device and TMM replies it takes (GIC 0x63xx,
/// TZASC 0x61xx, SMC 0x51xx). Events for the host software it runs (0x70xx) go to that software.
/// </summary>
public static class PeKinds
{
    /// <summary>Self: the running flow's current local steps are over (arg = token).</summary>
    public const int FlowStep = 0x4001;
    /// <summary>Self: the guest's compute segment ends (arg = token).</summary>
    public const int GuestStop = 0x4002;
    /// <summary>Self: a generic timer's condition became true (arg = generation &lt;&lt; 1 | timer kind).</summary>
    public const int TimerFire = 0x4003;
    /// <summary>Self: a host work step is over (arg = token).</summary>
    public const int HostStep = 0x4004;
    /// <summary>Host software → PE: arm the physical timer arg counter ticks from now.</summary>
    public const int ArmPhysicalTimer = 0x4007;
    /// <summary>PE → PE: the firmware's PSCI CPU_ON powers this PE on.</summary>
    public const int PowerOn = 0x4008;
}
