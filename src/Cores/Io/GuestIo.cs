using VirtCca.Cores.Vcpu;
using VirtCca.Devices.Virtio.Swiotlb;

namespace VirtCca.Cores.Io;

/// <summary>What one vCPU's current I/O operation has done so far, and whether it sleeps on it.</summary>
public sealed class VcpuIo(int vcpu)
{
    public int Vcpu { get; } = vcpu;
    /// <summary>The program operation this progress belongs to (a new one starts from zero).</summary>
    public Workloads.Op? Current;
    public long Submitted, Completed, Count;
    public int InFlight;
    public readonly Stack<int> FreeSlots = new();
    /// <summary>Asleep in WFI until its operation can go on; a completion on another vCPU wakes it with an IPI.</summary>
    public bool Waiting, WakePending;
    public readonly Dictionary<string, long> SequentialCursor = new();
}

/// <summary>
/// One guest's devices as its kernel sees them: the drivers (one per queue, made on first use), the
/// requests in flight and whose they are, the per-vCPU progress of I/O operations, the bounce pool
/// of a realm, and the metrics. It is guest state shared by the guest's vCPUs, all in one machine
/// (one placement group), so every access is ordered by the kernel. The PE runs the operations
/// through <see cref="Perform"/>; KVM's irqfd reports raised interrupts through <see cref="Raised"/>.
/// </summary>
public sealed partial class GuestIo
{
    /// <summary>The SGI a guest's kernel sends to wake a task on another vCPU (Linux's IPI_RESCHEDULE).</summary>
    public const int WakeSgi = 0;

    private readonly Dictionary<int, IoQueue> _byIntid = new();
    private readonly VcpuIo[] _vcpus;
    private readonly Dictionary<ulong, (int Vcpu, long SubmitPs, int Slot, int Bytes)> _requests = new();
    private readonly Dictionary<(int Vcpu, int Intid), (long Ps, bool Halted)> _raised = new();
    private readonly Func<string, int?> _stations;
    private ulong _nextRequest, _nextPacket;

    /// <param name="stations">Resolves a net-send's destination (a station's name) to its address.</param>
    public GuestIo(string guest, IReadOnlyList<IoDevice> devices, int vcpus, Func<string, int?>? stations = null, SwiotlbPool? swiotlb = null)
    {
        Guest = guest; Devices = devices; Swiotlb = swiotlb;
        _stations = stations ?? (_ => null);
        _vcpus = Enumerable.Range(0, vcpus).Select(v => new VcpuIo(v)).ToArray();
        foreach (var q in devices.SelectMany(d => d.Queues))
        {
            _byIntid.Add(q.Intid, q);
            if (q.Device.Kind == IoDeviceKind.Net) _byIntid.Add(q.Intid + 1, q);
        }
    }

    public string Guest { get; }
    public IReadOnlyList<IoDevice> Devices { get; }
    public SwiotlbPool? Swiotlb { get; }
    public IoMetrics Metrics { get; } = new();
    public VcpuIo Of(int vcpu) => _vcpus[vcpu];

    /// <summary>Whether a driver of this guest handles the vINTID.</summary>
    public bool Claims(int intid) => _byIntid.ContainsKey(intid);

    /// <summary>The device a program names (null: the guest's only device of that kind).</summary>
    public IoDevice Device(string? name, IoDeviceKind kind)
    {
        foreach (var d in Devices)
            if (d.Kind == kind && (name == null || d.Name == name)) return d;
        throw new InvalidOperationException($"guest {Guest} has no {(kind == IoDeviceKind.Blk ? "virtio-blk" : "virtio-net")} device{(name == null ? "" : $" '{name}'")}");
    }

    /// <summary>KVM's irqfd made <paramref name="intid"/> pending for vCPU <paramref name="vcpu"/> (asleep in WFI or not): the wake-up clock starts, unless it already runs.</summary>
    public void Raised(int vcpu, int intid, long ps, bool halted) => _raised.TryAdd((vcpu, intid), (ps, halted));

    /// <summary>
    /// The vCPU took its list registers on entry: each device interrupt among them ends its wake-up
    /// clock, and the driver's handler goes in front of whatever the guest was doing.
    /// </summary>
    public void Taken(VcpuActor v, long ps)
    {
        var claimed = v.ClaimedInterrupts;
        if (claimed.Count == 0) return;
        var handlers = new Workloads.Op[claimed.Count];
        for (int i = 0; i < claimed.Count; i++)
        {
            int intid = claimed[i];
            if (_raised.Remove((v.Index, intid), out var r)) (r.Halted ? Metrics.WakeHalted : Metrics.WakeRunning).Record(ps - r.Ps);
            handlers[i] = new IoInterrupt(_byIntid[intid], intid);
        }
        v.InsertFirst(handlers);
    }
}
