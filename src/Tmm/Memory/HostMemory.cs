using VirtCca.Tmm.Granules;

namespace VirtCca.Tmm.Memory;

/// <summary>
/// Physical memory as the normal world sees it: DRAM granules it still owns read and write
/// normally; a delegated granule, or an address outside DRAM, raises <see cref="GranuleProtectionFault"/>
/// and the access has no effect (checked for every granule before any byte moves).
/// </summary>
public sealed class HostMemory
{
    private readonly PhysicalMemory _dram;
    private readonly GranuleTable _granules;

    internal HostMemory(PhysicalMemory dram, GranuleTable granules) { _dram = dram; _granules = granules; }

    public void Write(ulong pa, ReadOnlySpan<byte> data)
    {
        Check(pa, data.Length);
        _dram.Write(pa, data);
    }

    public void Read(ulong pa, Span<byte> data)
    {
        Check(pa, data.Length);
        _dram.Read(pa, data);
    }

    private void Check(ulong pa, int length)
    {
        if (length == 0) return;
        ulong last = pa + (ulong)length - 1;
        for (ulong g = pa & ~(GranuleTable.GranuleSize - 1); g <= last && g >= (pa & ~(GranuleTable.GranuleSize - 1)); g += GranuleTable.GranuleSize)
        {
            if (!_granules.InDram(g)) throw new GranuleProtectionFault(g, null);
            var s = _granules.StateOf(g);
            if (s != GranuleState.Undelegated) throw new GranuleProtectionFault(g, s);
        }
    }
}
