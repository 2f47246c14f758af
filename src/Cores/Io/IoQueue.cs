using VirtCca.Devices.Virtio.Driver;

namespace VirtCca.Cores.Io;

public enum IoDeviceKind { Blk, Net }

/// <summary>
/// One virtqueue of a guest's virtio-blk device, or one queue pair (receive, transmit) of its
/// virtio-net device: one backend on the host, one notify register (virtio-pci gives every queue its
/// own notify address), one interrupt vector per virtqueue (MSI-X), affine to <see cref="IrqVcpu"/>.
/// Its driver is made when the guest first uses it (a realm's rings live in shared memory that
/// exists only once KVM has created the realm and mapped it).
/// </summary>
public sealed class IoQueue
{
    private readonly Func<object> _makeDriver;
    private object? _driver;

    public IoQueue(IoDevice device, int index, int backend, ulong notifyAddress, int intid, int irqVcpu, Func<object> makeDriver)
    {
        Device = device; Index = index; Backend = backend; NotifyAddress = notifyAddress; Intid = intid; IrqVcpu = irqVcpu;
        _makeDriver = makeDriver;
    }

    public IoDevice Device { get; }
    public int Index { get; }
    /// <summary>The backend component (vhost worker or VMM thread) serving this queue.</summary>
    public int Backend { get; }
    /// <summary>The notify register's guest address (a realm adds its unprotected-IPA bit).</summary>
    public ulong NotifyAddress { get; }
    /// <summary>The vINTID of the queue (blk), or of the receive queue (net: transmit is <see cref="Intid"/> + 1).</summary>
    public int Intid { get; }
    public int IrqVcpu { get; }

    public BlkDriver Blk => (BlkDriver)(_driver ??= _makeDriver());
    public NetDriver Net => (NetDriver)(_driver ??= _makeDriver());
    public bool HasDriver => _driver != null;
    public DriverCounters? Counters => _driver switch { BlkDriver b => b.Counters, NetDriver n => n.Counters, _ => null };

    /// <summary>A net queue pair's receive buffers are posted (the driver was opened).</summary>
    public bool Started { get; set; }
    /// <summary>Packets received on this queue pair that no operation has taken yet.</summary>
    public Queue<byte[]> Inbox { get; } = new();
    /// <summary>vCPUs asleep until something arrives on this queue.</summary>
    public SortedSet<int> Waiters { get; } = new();

    public override string ToString() => $"{Device.Name} queue {Index}";
}

/// <summary>
/// A guest's virtio device: its queues and, for virtio-blk, the driver memory each vCPU's requests use
/// (per vCPU <see cref="SlotsPerVcpu"/> buffers of <see cref="SlotBytes"/>), for virtio-net its station address.
/// </summary>
public sealed class IoDevice(string name, IoDeviceKind kind)
{
    public string Name { get; } = name;
    public IoDeviceKind Kind { get; } = kind;
    public IoQueue[] Queues { get; set; } = [];
    public int Station { get; init; } = -1;
    public ulong DataBase { get; init; }
    public ulong SlotBytes { get; init; }
    public int SlotsPerVcpu { get; init; }

    /// <summary>The queue a vCPU's operations use: queue v mod count (blk-mq and multiqueue virtio-net map CPUs to queues so).</summary>
    public IoQueue QueueOf(int vcpu) => Queues[vcpu % Queues.Length];

    /// <summary>The address of buffer <paramref name="slot"/> of vCPU <paramref name="vcpu"/> in driver memory.</summary>
    public ulong Buffer(int vcpu, int slot) => DataBase + ((ulong)vcpu * (ulong)SlotsPerVcpu + (ulong)slot) * SlotBytes;
}
