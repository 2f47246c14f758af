using VirtCca.Tmm.Granules;

namespace VirtCca.Tmm.Memory;

/// <summary>
/// A normal-world access to a granule it may not touch (delegated to the TMM, or outside DRAM). On
/// virtCCA the TZASC refuses it; the access has no effect.
/// </summary>
public sealed class GranuleProtectionFault(ulong pa, GranuleState? state)
    : Exception(state is { } s ? $"normal-world access to PA 0x{pa:X} refused: the granule is {s}" : $"normal-world access to PA 0x{pa:X} refused: not in DRAM")
{
    public ulong Address { get; } = pa;
    public GranuleState? State { get; } = state;
}
