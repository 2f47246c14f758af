namespace VirtCca.Devices.Smmu;

/// <summary>
/// A DMA whose parts are out at the TZASC: the device is answered once every part is back, with ok
/// only if every part was translated and permitted. Parts that did land stay landed: a DMA that
/// fails half-way has written its good pages, as on hardware.
/// </summary>
internal sealed class PendingDma(int device, ulong tag, int size, bool read)
{
    private readonly byte[]? _data = read ? new byte[size] : null;

    public int Device { get; } = device;
    public ulong Tag { get; } = tag;
    public int Outstanding { get; set; }
    public bool Ok { get; private set; } = true;

    public void Fail() => Ok = false;

    public void Land(int offset, bool ok, ReadOnlySpan<byte> data)
    {
        Outstanding--;
        if (!ok) Ok = false;
        else if (_data != null) data.CopyTo(_data.AsSpan(offset)); // writes have nothing to gather
    }

    /// <summary>Read data, only when the whole DMA succeeded.</summary>
    public byte[] Data => Ok && _data != null ? _data : [];
}
