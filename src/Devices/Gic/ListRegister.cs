namespace VirtCca.Devices.Gic;

/// <summary>A GICv3 list register (ICH_LR_EL2) as carried in a vCPU's context on entry: how a virtual interrupt reaches a guest.</summary>
public readonly record struct ListRegister(uint VirtualIntid, byte Priority, InterruptGroup Group, ListRegisterState State)
{
    public const int PerVcpu = 16;

    /// <summary>The architectural encoding: vINTID [31:0], priority [55:48], group [60], state [63:62].</summary>
    public ulong Encode() => VirtualIntid | (ulong)Priority << 48 | (Group == InterruptGroup.Group0 ? 0UL : 1UL << 60) | (ulong)State << 62;
}

public enum ListRegisterState : byte { Invalid = 0, Pending = 1, Active = 2, PendingActive = 3 }
