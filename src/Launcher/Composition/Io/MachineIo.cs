using VirtCca.Interconnect;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition.Io;

/// <summary>How a machine's NIC joins a network: the switch (its id relative to the machine's own ids), the link's latency, each guest device's station address.</summary>
public sealed record MachineNetwork(int SwitchLocalId, SimTime LinkLatency, Func<string, string, int> StationOf, Func<string, int?> Resolve, int NicStation);

/// <summary>
/// A machine's I/O, as components of its placement group: KVM's irqfd (completion interrupts into
/// the vGICs, the used rings becoming visible to the drivers), the NVMe device (when a guest has a
/// virtio-blk device), the bridge and the NIC (virtio-net), and one backend per guest queue (a vhost
/// worker or a VMM thread). It adds them after the machine's own components, so a machine without
/// devices is built exactly as before. See src/Devices/PROTOCOL.md for the wiring.
/// </summary>
public sealed partial class MachineIo
{
    private readonly MachineSpec _spec;
    private readonly MachineNetwork? _network;
    private readonly int _first, _last;

    /// <summary>Per guest, per device, per queue: the backend's component id.</summary>
    public int[][][] BackendIds { get; }
    public IReadOnlyList<GuestIoLayout> Layouts { get; }
    public int IrqfdId { get; } = -1;
    public int NvmeId { get; } = -1;
    public int BridgeId { get; } = -1;
    public int NicId { get; } = -1;

    /// <summary>
    /// Checks the guests' devices and grows each guest's realm shape by its I/O memory (the driver's
    /// pages populated at creation, the shared memory KVM maps); a spec without devices comes back as it is.
    /// </summary>
    public static MachineSpec Prepare(MachineSpec spec)
    {
        if (spec.IoPrepared || spec.Guests.All(g => g.Devices.Count == 0)) return spec;
        var guests = spec.Guests.Select(g =>
        {
            var layout = GuestIoLayout.Of(g, g.SwiotlbBytes);
            if (layout.HasDevices && layout.Devices.Sum(d => d.Spec.Vectors) + GuestIoLayout.FirstIntid > 1019)
                throw new ArgumentException($"guest {g.Name}: its devices need more interrupt vectors than INTIDs 48..1019 give");
            foreach (var op in g.Programs.SelectMany(GuestIoLayout.Leaves).OfType<Cores.Workloads.Mmio>())
                if ((op.Address & ~g.Realm.UnprotectedIpaBit) >= layout.DeviceBase && (op.Address & ~g.Realm.UnprotectedIpaBit) < layout.DeviceTop)
                    throw new ArgumentException($"guest {g.Name}: an mmio operation at 0x{op.Address:X} touches a virtio queue's notify register (0x{layout.DeviceBase:X}..0x{layout.DeviceTop:X})");
            return g with { Realm = layout.Apply(g.Realm), IoLayout = layout };
        }).ToArray();
        return spec with { Guests = guests, IoPrepared = true };
    }

    public MachineIo(MachineSpec spec, Topology.Builder b, IReadOnlyList<int> peIds, VcpuPlacement placement, int gic, int smmu, MachineNetwork? network)
    {
        _spec = spec;
        _network = network;
        var io = spec.Platform.Io;
        var l = spec.Platform.Links;
        Layouts = spec.Guests.Select(g => g.IoLayout ?? (g.Devices.Count == 0 ? GuestIoLayout.None
            : throw new InvalidOperationException($"guest {g.Name} has devices but its machine spec was not prepared (MachineIo.Prepare)"))).ToArray();
        BackendIds = spec.Guests.Select(g => g.Devices.Select(d => new int[d.Queues]).ToArray()).ToArray();
        _first = b.Count;
        _last = b.Count;
        if (spec.Guests.All(g => g.Devices.Count == 0)) return;

        IrqfdId = b.Add("irqfd", 0);
        if (spec.Guests.Any(g => g.Devices.Any(d => d.IsBlk))) NvmeId = b.Add("nvme", 0);
        if (spec.Guests.Any(g => g.Devices.Any(d => !d.IsBlk)))
        {
            BridgeId = b.Add("bridge", 0);
            if (network != null) NicId = b.Add("nic", 0);
        }
        var ioPes = new SortedSet<int>();
        for (int g = 0; g < spec.Guests.Count; g++)
        {
            var guest = spec.Guests[g];
            var pes = placement.PesOfGuest(g).Select(p => peIds[p]).ToArray();
            if (guest.Devices.Count > 0) ioPes.UnionWith(pes);
            for (int d = 0; d < guest.Devices.Count; d++)
            {
                var dev = guest.Devices[d];
                for (int q = 0; q < dev.Queues; q++)
                {
                    int id = BackendIds[g][d][q] = b.Add($"{(dev.IsBlk ? "blk" : "net")}-{guest.Name}-{dev.Name}-{q}", 0);
                    b.LinkToHub(id, pes, io.HostLink, name: $"{guest.Name}'s vCPUs to {dev.Name} queue {q}"); // publications, notifications
                    b.Link(id, IrqfdId, io.HostLink);
                    if (dev.HostPe is { } hostPe) b.Link(id, peIds[hostPe], io.HostLink);
                    if (dev.IsBlk) b.Link(id, NvmeId, io.PcieLink); else b.Link(id, BridgeId, io.HostLink);
                }
            }
        }
        b.LinkToHub(IrqfdId, ioPes, io.HostLink, name: "irqfd to the vCPUs' CPUs").Link(IrqfdId, gic, l.PeGic);
        if (NvmeId >= 0) b.Link(NvmeId, smmu, l.DeviceSmmu);
        if (NicId >= 0) b.Link(BridgeId, NicId, io.PcieLink);
        _last = b.Count;
    }

    /// <summary>Whether the component is one of the machine's I/O components.</summary>
    public bool Owns(int id) => id >= _first && id < _last;

    /// <summary>The station address of a guest's net device (its own numbering on a machine alone: 1, 2, … in guest and device order).</summary>
    public int StationOf(int guest, int device)
    {
        var g = _spec.Guests[guest];
        if (_network != null) return _network.StationOf(g.Name, g.Devices[device].Name);
        int n = 1;
        for (int i = 0; i < _spec.Guests.Count; i++)
            for (int d = 0; d < _spec.Guests[i].Devices.Count; d++)
            {
                if (i == guest && d == device) return n;
                if (!_spec.Guests[i].Devices[d].IsBlk) n++;
            }
        throw new ArgumentOutOfRangeException(nameof(device));
    }

    /// <summary>A net-send's destination: a guest of this machine by name, or one the network knows.</summary>
    public int? Resolve(string name)
    {
        if (_network?.Resolve(name) is { } s) return s;
        for (int g = 0; g < _spec.Guests.Count; g++)
            if (_spec.Guests[g].Name == name)
                for (int d = 0; d < _spec.Guests[g].Devices.Count; d++)
                    if (!_spec.Guests[g].Devices[d].IsBlk) return StationOf(g, d);
        return null;
    }

    /// <summary>The blk device's own SMMU stream (as an SR-IOV VF's): its STE maps what the guest lets the device reach.</summary>
    public static uint StreamOf(int guest, int device) => 0x100u + (uint)guest * 64 + (uint)device;
}
