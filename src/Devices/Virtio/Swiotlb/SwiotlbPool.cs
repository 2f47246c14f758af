using VirtCca.Devices.Memory;

namespace VirtCca.Devices.Virtio.Swiotlb;

public enum DmaDirection { ToDevice, FromDevice, Bidirectional }

/// <summary>A live bounce mapping: the slot run in shared memory standing in for a private buffer.</summary>
public sealed record SwiotlbMapping(ulong Shared, ulong Original, int Bytes, int FirstSlot, int SlotCount, DmaDirection Direction);

/// <summary>
/// A realm guest's SWIOTLB: a pool of 2 KiB slots at shared (unprotected) IPAs through which every
/// DMA buffer is bounced, because the host may not touch protected memory. A mapping of N bytes
/// takes ceil(N / slot) contiguous slots, found next-fit from a moving index as Linux does; when no
/// run is free the map fails and the caller waits (<see cref="RecordWait"/>). Copies run through the
/// realm's two views: its protected memory and the shared memory the device sees.
/// </summary>
public sealed class SwiotlbPool
{
    private readonly bool[] _used;
    private readonly IGuestMemory _private, _shared;
    private int _index;

    public SwiotlbPool(SwiotlbSettings settings, ulong baseIpa, IGuestMemory privateView, IGuestMemory sharedView)
    {
        if (settings.SlotBytes <= 0 || settings.PoolBytes < settings.SlotBytes) throw new ArgumentException($"swiotlb pool of {settings.PoolBytes} bytes has no {settings.SlotBytes}-byte slot");
        Settings = settings; BaseIpa = baseIpa; _private = privateView; _shared = sharedView;
        _used = new bool[settings.Slots];
    }

    public SwiotlbSettings Settings { get; }
    public ulong BaseIpa { get; }

    public int SlotsInUse { get; private set; }
    public int HighWaterSlots { get; private set; }
    public long Maps { get; private set; }
    public long MapFailures { get; private set; }
    public long BytesBounced { get; private set; }
    public long Copies { get; private set; }
    public long SlotWaits { get; private set; }

    /// <summary>Counts a request that had to wait for slots.</summary>
    public void RecordWait() => SlotWaits++;

    /// <summary>
    /// Maps a private buffer: allocates its slots and, for memory-to-device (or any direction under
    /// <see cref="SwiotlbSettings.CopyOnMapEveryDirection"/>), copies it in. Null when no run of
    /// slots is free. <paramref name="cycles"/> is the guest CPU work.
    /// </summary>
    public SwiotlbMapping? Map(ulong original, int bytes, DmaDirection direction, out long cycles)
    {
        cycles = 0;
        int n = Math.Max(1, (bytes + Settings.SlotBytes - 1) / Settings.SlotBytes);
        if (n > Settings.MaxMappingSlots) throw new InvalidOperationException($"a {bytes}-byte DMA buffer needs {n} swiotlb slots; the largest mapping is {Settings.MaxMappingSlots}");
        if (Find(n) is not { } first) { MapFailures++; return null; }
        for (int i = 0; i < n; i++) _used[first + i] = true;
        _index = (first + n) % _used.Length;
        SlotsInUse += n;
        HighWaterSlots = Math.Max(HighWaterSlots, SlotsInUse);
        Maps++;
        var m = new SwiotlbMapping(BaseIpa + (ulong)first * (ulong)Settings.SlotBytes, original, bytes, first, n, direction);
        cycles = Settings.MapUnmapCycles;
        if (direction != DmaDirection.FromDevice || Settings.CopyOnMapEveryDirection) cycles += Copy(_private, original, _shared, m.Shared, bytes);
        return m;
    }

    /// <summary>Unmaps: for device-to-memory copies <paramref name="bytesOut"/> bytes back out (the whole mapping on a plain unmap), then frees the slots.</summary>
    public long Unmap(SwiotlbMapping m, int? bytesOut = null)
    {
        long cycles = 0;
        if (m.Direction != DmaDirection.ToDevice) cycles += Copy(_shared, m.Shared, _private, m.Original, Math.Min(bytesOut ?? m.Bytes, m.Bytes));
        Release(m);
        return cycles;
    }

    /// <summary>Frees a mapping without copying (a request that could not be mapped whole gives back its first parts).</summary>
    public void Release(SwiotlbMapping m)
    {
        for (int i = 0; i < m.SlotCount; i++) _used[m.FirstSlot + i] = false;
        SlotsInUse -= m.SlotCount;
    }

    private long Copy(IGuestMemory from, ulong src, IGuestMemory to, ulong dst, int bytes)
    {
        if (bytes <= 0) return 0;
        from.CopyTo(src, to, dst, bytes);
        BytesBounced += bytes;
        Copies++;
        return Settings.CopyCycles(bytes);
    }

    /// <summary>Next-fit: the first free run of <paramref name="n"/> slots from the moving index, wrapping once.</summary>
    private int? Find(int n)
    {
        int total = _used.Length;
        for (int tried = 0, start = _index; tried < total; )
        {
            if (start + n > total) { tried += total - start; start = 0; continue; }
            int run = 0;
            while (run < n && !_used[start + run]) run++;
            if (run == n) return start;
            tried += run + 1;
            start = (start + run + 1) % total;
        }
        return null;
    }
}
