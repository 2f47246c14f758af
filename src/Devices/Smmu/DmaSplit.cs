namespace VirtCca.Devices.Smmu;

/// <summary>
/// How the SMMU cuts a DMA that crosses 4 KiB pages: one part per page, each translated and
/// checked on its own, as a device's burst is translated per page on hardware. This replaces
/// refusing such a DMA outright: a buffer that is contiguous in IOVA space need not be contiguous
/// in physical memory, and each page may land (or fault) differently.
/// </summary>
public static class DmaSplit
{
    /// <summary>The parts of [iova, iova + size): their IOVA, offset in the DMA's data, and length, in address order.</summary>
    public static IEnumerable<(ulong Iova, int Offset, int Length)> Pages(ulong iova, int size)
    {
        for (int offset = 0; offset < size;)
        {
            ulong at = iova + (ulong)offset;
            int length = (int)Math.Min((ulong)(size - offset), StreamTable.Page - at % StreamTable.Page);
            yield return (at, offset, length);
            offset += length;
        }
    }
}
