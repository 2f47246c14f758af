namespace VirtCca.Devices.Smmu;

/// <summary>
/// SMMUv3-like translation for DMA. Two stream tables, as SMMU_STRTAB_BASE and SMMU_S_STRTAB_BASE:
/// a transaction's SSD picks one, and only the secure world may change the secure one (refusals are
/// counted). A transaction is aborted, passed through, or translated through its STE's stage 2;
/// faults are recorded, never silent. The translated transaction keeps its STE's security, so the
/// TZASC decides what it may touch.
///
/// Translations are cached in an IOTLB and, as on hardware, unmapping a page does not remove its
/// cached translation: until a TLBI (or a CFGI for the whole stream) the device can still reach the
/// old page. With <see cref="StrictInvalidation"/> every unmap invalidates at once. STEs themselves
/// are not cached: a changed STE takes effect at once.
/// </summary>
public sealed class StreamTable(bool strictInvalidation = false)
{
    public const ulong Page = 4096;
    private readonly Dictionary<uint, StreamTableEntry> _nonSecure = new(), _secure = new();
    private readonly Dictionary<(bool SecureStream, uint Stream, ulong Page), ulong> _iotlb = new();

    public bool StrictInvalidation { get; } = strictInvalidation;
    public List<SmmuFault> EventQueue { get; } = new();
    public long IotlbMisses { get; private set; }
    public int IotlbEntries => _iotlb.Count;

    /// <summary>Non-secure attempts to touch a secure stream's entry, mappings or cached translations.</summary>
    public long RefusedSecureConfiguration { get; private set; }

    /// <summary>Installs an STE: a secure one (<see cref="StreamTableEntry.Secure"/>) in the secure table, which only the secure world may do.</summary>
    public bool Configure(uint stream, StreamTableEntry entry, bool bySecureWorld)
    {
        if (!Permitted(entry.Secure, bySecureWorld)) return false;
        (entry.Secure ? _secure : _nonSecure)[stream] = entry;
        return true;
    }

    public StreamTableEntry? Entry(uint stream, bool secureStream) => TableOf(secureStream).GetValueOrDefault(stream);

    /// <summary>Maps the page holding <paramref name="iova"/> to the page holding <paramref name="pa"/> in the stream's stage 2.</summary>
    public bool Map(uint stream, bool secureStream, ulong iova, ulong pa, bool bySecureWorld)
    {
        if (!Permitted(secureStream, bySecureWorld) || Entry(stream, secureStream) is not { } ste) return false;
        ste.Stage2[iova / Page] = pa / Page;
        return true;
    }

    /// <summary>Removes a page from the stream's stage 2. Its cached translation survives unless <see cref="StrictInvalidation"/>.</summary>
    public bool Unmap(uint stream, bool secureStream, ulong iova, bool bySecureWorld)
    {
        if (!Permitted(secureStream, bySecureWorld) || Entry(stream, secureStream) is not { } ste) return false;
        ste.Stage2.Remove(iova / Page);
        if (StrictInvalidation) _iotlb.Remove((secureStream, stream, iova / Page));
        return true;
    }

    /// <summary>CMD_TLBI_S2_IPA-like: drops the cached translation of one page of one stream.</summary>
    public bool InvalidatePage(uint stream, bool secureStream, ulong iova, bool bySecureWorld)
    {
        if (!Permitted(secureStream, bySecureWorld)) return false;
        _iotlb.Remove((secureStream, stream, iova / Page));
        return true;
    }

    /// <summary>CMD_CFGI_STE-like: drops everything cached for one stream (its STE and, with it, its translations).</summary>
    public bool InvalidateStream(uint stream, bool secureStream, bool bySecureWorld)
    {
        if (!Permitted(secureStream, bySecureWorld)) return false;
        foreach (var key in _iotlb.Keys.Where(k => k.SecureStream == secureStream && k.Stream == stream).ToList()) _iotlb.Remove(key);
        return true;
    }

    /// <summary>Translates [iova, iova + size), which must lie in one page, to a physical address; null (and a fault) when it cannot.</summary>
    public (ulong Pa, bool Secure)? Translate(uint stream, bool secureStream, ulong iova, ulong size)
    {
        if (Entry(stream, secureStream) is not { } ste) return Fault(stream, secureStream, iova, "no stream table entry");
        if (size == 0 || (iova % Page) + size > Page) return Fault(stream, secureStream, iova, "a transaction must stay within one 4 KiB page");
        switch (ste.Mode)
        {
            case StreamMode.Abort: return Fault(stream, secureStream, iova, "stream is configured to abort");
            case StreamMode.Bypass: return (iova, ste.Secure);
        }
        var key = (secureStream, stream, iova / Page);
        if (!_iotlb.TryGetValue(key, out ulong paPage))
        {
            if (!ste.Stage2.TryGetValue(iova / Page, out paPage)) return Fault(stream, secureStream, iova, "no stage-2 mapping");
            _iotlb[key] = paPage;
            IotlbMisses++;
        }
        return (paPage * Page + iova % Page, ste.Secure);
    }

    /// <summary>Translates a non-secure stream's transaction.</summary>
    public (ulong Pa, bool Secure)? Translate(uint stream, ulong iova, ulong size) => Translate(stream, secureStream: false, iova, size);

    private Dictionary<uint, StreamTableEntry> TableOf(bool secureStream) => secureStream ? _secure : _nonSecure;

    private bool Permitted(bool secureStream, bool bySecureWorld)
    {
        if (secureStream && !bySecureWorld) { RefusedSecureConfiguration++; return false; }
        return true;
    }

    private (ulong, bool)? Fault(uint stream, bool secureStream, ulong iova, string reason)
    {
        EventQueue.Add(new SmmuFault(stream, iova, reason, secureStream));
        return null;
    }
}
