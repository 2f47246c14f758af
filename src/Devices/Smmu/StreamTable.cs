namespace VirtCca.Devices.Smmu;

/// <summary>What a stream table entry does with a device's transactions (SMMUv3 STE.Config, simplified).</summary>
public enum StreamMode { Abort, Bypass, Stage2 }

/// <summary>One stream table entry: secure or non-secure stream, its mode, and its stage-2 page map (IOVA page → PA page).</summary>
public sealed class StreamTableEntry(bool secure, StreamMode mode)
{
    public bool Secure { get; } = secure;
    public StreamMode Mode { get; } = mode;
    public Dictionary<ulong, ulong> Stage2 { get; } = new();
    public HashSet<ulong> Iotlb { get; } = new();
}

/// <summary>A recorded translation fault (the SMMU's event queue).</summary>
public sealed record SmmuFault(uint Stream, ulong Iova, string Reason);

/// <summary>
/// SMMUv3-like translation for DMA: a stream table of secure and non-secure entries. A transaction
/// is aborted, passed through, or translated page by page; faults are recorded, never silent. The
/// translated transaction keeps its stream's security, so the TZASC decides what it may touch.
/// </summary>
public sealed class StreamTable
{
    public const ulong Page = 4096;
    private readonly Dictionary<uint, StreamTableEntry> _entries = new();

    public List<SmmuFault> EventQueue { get; } = new();
    public long IotlbMisses { get; private set; }

    public void Configure(uint stream, StreamTableEntry entry) => _entries[stream] = entry;

    /// <summary>Translates [iova, iova + size) to one physical address; null (and a fault) when it cannot.</summary>
    public (ulong Pa, bool Secure)? Translate(uint stream, ulong iova, ulong size)
    {
        if (!_entries.TryGetValue(stream, out var ste)) return Fault(stream, iova, "no stream table entry");
        if (size == 0 || (iova % Page) + size > Page) return Fault(stream, iova, "a transaction must stay within one 4 KiB page");
        switch (ste.Mode)
        {
            case StreamMode.Abort: return Fault(stream, iova, "stream is configured to abort");
            case StreamMode.Bypass: return (iova, ste.Secure);
        }
        ulong page = iova / Page;
        if (!ste.Stage2.TryGetValue(page, out var paPage)) return Fault(stream, iova, "no stage-2 mapping");
        if (ste.Iotlb.Add(page)) IotlbMisses++;
        return (paPage * Page + iova % Page, ste.Secure);
    }

    private (ulong, bool)? Fault(uint stream, ulong iova, string reason)
    {
        EventQueue.Add(new SmmuFault(stream, iova, reason));
        return null;
    }
}
