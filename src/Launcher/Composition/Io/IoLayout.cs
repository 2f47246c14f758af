using VirtCca.Cores.Workloads;
using VirtCca.Devices.Virtio;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Kvm.Realms;

namespace VirtCca.Launcher.Composition.Io;

/// <summary>Where one queue lives: its ring(s) (as both sides address them), a blk queue's request headers or a net pair's buffers, its notify register, its vector(s), the vCPU they are affine to.</summary>
public sealed record QueueLayout(SplitRingLayout Ring, SplitRingLayout? Tx, ulong DriverArea, ulong Notify, int Intid, int IrqVcpu);

/// <summary>One device's queues and, for virtio-blk, each vCPU's request buffers (<see cref="SlotsPerVcpu"/> of <see cref="SlotBytes"/>).</summary>
public sealed record DeviceLayout(DeviceSpec Spec, int Index, IReadOnlyList<QueueLayout> Queues, ulong DataBase, ulong SlotBytes, int SlotsPerVcpu, int TxSlotBytes);

/// <summary>
/// A guest's I/O memory map. Driver memory — blk request headers and data buffers, net receive
/// buffers and transmit slots — is guest RAM right after the pages populated at creation
/// (<see cref="IoBase"/>, <see cref="IoBytes"/>; a realm has KVM populate it too, since its driver
/// uses it from the start). The virtqueues live where the device can read them: a normal VM's in the
/// same RAM, a realm's in its shared memory (<see cref="SharedIpa"/>, unprotected, mapped by KVM),
/// followed by its SWIOTLB pool. Each queue's notify register is a page of its own above RAM
/// (virtio-pci with a notify-offset multiplier of 4 KiB), in a realm's unprotected half; vectors are
/// SPIs from INTID 48 up, one per blk queue, two per net queue pair (receive, transmit).
/// </summary>
public sealed record GuestIoLayout(IReadOnlyList<DeviceLayout> Devices, ulong IoBase, ulong IoBytes, ulong SharedIpa, ulong SharedBytes, ulong PoolIpa, long PoolBytes, ulong DeviceBase)
{
    public const int FirstIntid = 48;
    public const ulong Page = 0x1000, SharedOffset = 1UL << 30, MmioLow = 0x0A00_0000;
    private const int HeaderSlotBytes = 32; // BlkDriver: header at +0, status at +16 per ring entry

    public bool HasDevices => Devices.Count > 0;
    public ulong DeviceTop => DeviceBase + (ulong)Devices.Sum(d => d.Queues.Count) * Page;

    public static GuestIoLayout None { get; } = new([], 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The layout of <paramref name="guest"/>'s devices; its realm shape grows by the I/O pages (see <see cref="Apply"/>).</summary>
    public static GuestIoLayout Of(GuestSpec guest, long poolBytes)
    {
        if (guest.Devices.Count == 0) return None;
        var shape = guest.Realm;
        bool realm = guest.IsRealm;
        ulong io = (ulong)shape.RamPages * Page;
        ulong ram = Math.Max(shape.Ram, io);
        ulong deviceBase = ram <= MmioLow ? MmioLow : Up(ram, 1UL << 30);
        ulong shared = realm ? shape.UnprotectedIpaBit + SharedOffset : 0;
        ulong ringCursor = realm ? shared : 0;   // a VM's rings go in its I/O area, after the driver memory
        ulong cursor = io;
        int intid = FirstIntid, page = 0;
        var devices = new List<DeviceLayout>();
        foreach (var (d, index) in guest.Devices.Select((d, i) => (d, i)))
        {
            var (slotBytes, slots) = d.IsBlk ? BlockBuffers(guest, d) : (0UL, 0);
            ulong data = cursor;
            cursor += (ulong)guest.Vcpus * (ulong)slots * slotBytes;
            int txSlot = VirtioNet.HeaderBytes + 14 + d.MaxPacketBytes;
            var queues = new List<QueueLayout>();
            for (int q = 0; q < d.Queues; q++)
            {
                ulong area = cursor;
                cursor += Up(d.IsBlk ? (ulong)d.QueueSize * HeaderSlotBytes : NetDriver.AreaBytes(d.QueueSize, d.QueueSize, d.RxBufferBytes, txSlot), Page);
                var (ring, tx) = Rings(ref ringCursor, d);
                queues.Add(new QueueLayout(ring, tx, area, deviceBase + (ulong)page++ * Page, intid, q % guest.Vcpus));
                intid += d.Vectors / d.Queues;
            }
            devices.Add(new DeviceLayout(d, index, queues, data, slotBytes, slots, txSlot));
        }
        if (!realm)
        {
            // A VM's rings follow its driver memory in RAM.
            ulong shift = Up(cursor, Page);
            devices = devices.Select(d => d with { Queues = d.Queues.Select(q => q with { Ring = Moved(q.Ring, shift), Tx = q.Tx == null ? null : Moved(q.Tx, shift) }).ToArray() }).ToList();
            cursor = shift + ringCursor;
            return new GuestIoLayout(devices, io, Up(cursor - io, Page), 0, 0, 0, 0, deviceBase);
        }
        ulong pool = Up(ringCursor, Page);
        ulong sharedBytes = Up(pool + (ulong)poolBytes - shared, RealmShape.SharedBlock);
        return new GuestIoLayout(devices, io, Up(cursor - io, Page), shared, sharedBytes, pool, poolBytes, deviceBase);
    }

    /// <summary>The realm shape KVM builds: the pages populated at creation include the driver memory; the shared memory is mapped.</summary>
    public RealmShape Apply(RealmShape shape) => !HasDevices ? shape : shape with
    {
        RamPages = (int)((IoBase + IoBytes) / Page),
        RamBytes = shape.RamBytes == 0 ? 0 : Math.Max(shape.RamBytes, IoBase + IoBytes),
        SharedIpa = SharedIpa,
        SharedBytes = SharedBytes,
    };

    private static (SplitRingLayout, SplitRingLayout?) Rings(ref ulong cursor, DeviceSpec d)
    {
        var first = SplitRingLayout.Contiguous(cursor, d.QueueSize);
        cursor = Up(first.End, Page);
        if (d.IsBlk) return (first, null);
        var tx = SplitRingLayout.Contiguous(cursor, d.QueueSize);
        cursor = Up(tx.End, Page);
        return (first, tx);
    }

    private static SplitRingLayout Moved(SplitRingLayout r, ulong by) => SplitRingLayout.Contiguous(r.Desc + by, r.Size);

    /// <summary>Request buffers a blk device needs: the largest request any of the guest's programs makes on it, and the deepest queue any vCPU keeps.</summary>
    private static (ulong SlotBytes, int Slots) BlockBuffers(GuestSpec guest, DeviceSpec d)
    {
        int bytes = 0, depth = 0;
        bool only = guest.Devices.Count(x => x.IsBlk) == 1;
        foreach (var program in guest.Programs)
            foreach (var b in Leaves(program).OfType<BlockIo>())
                if (b.Device == d.Name || (b.Device == null && only)) { bytes = Math.Max(bytes, b.Bytes); depth = Math.Max(depth, b.Depth); }
        return (Up((ulong)Math.Max(bytes, 512), Page), depth);
    }

    public static IEnumerable<Op> Leaves(IEnumerable<Op> ops)
    {
        foreach (var op in ops)
            if (op is Loop l) { foreach (var inner in Leaves(l.Body)) yield return inner; }
            else yield return op;
    }

    private static ulong Up(ulong x, ulong a) => (x + a - 1) / a * a;
}
