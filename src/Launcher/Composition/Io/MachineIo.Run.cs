using VirtCca.Cores.Io;
using VirtCca.Devices.Block;
using VirtCca.Devices.Memory;
using VirtCca.Devices.Network;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Virtio;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Devices.Virtio.Driver;
using VirtCca.Devices.Virtio.Swiotlb;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Kvm.Io;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;

namespace VirtCca.Launcher.Composition.Io;

public sealed partial class MachineIo
{
    /// <summary>Fresh I/O state and components for one run of the machine.</summary>
    public IoRun NewRun(PhysicalMemory memory, KvmGuest[] guests, MemoryLayout layout, Rmm? rmm, IReadOnlyList<int> peIds) =>
        new(this, memory, guests, layout, rmm, peIds);

    /// <summary>One run's I/O: each guest's drivers and memory views, and the components as they are created.</summary>
    public sealed class IoRun
    {
        private readonly MachineIo _io;
        private readonly KvmGuest[] _guests;
        private readonly IReadOnlyList<int> _peIds;
        private readonly IGuestMemory?[] _deviceViews;
        private readonly Dictionary<int, (int Guest, int Device, int Queue)> _backendOf = new();

        public GuestIo?[] Guests { get; }
        public IrqfdActor? Irqfd { get; private set; }
        public NvmeActor? Nvme { get; private set; }
        public BridgeActor? Bridge { get; private set; }
        public NicActor? Nic { get; private set; }
        /// <summary>Per guest, per device, per queue: the backend this run created (null on a node that ran none of it).</summary>
        public VirtioBackend?[][][] Backends { get; }

        internal IoRun(MachineIo io, PhysicalMemory memory, KvmGuest[] guests, MemoryLayout layout, Rmm? rmm, IReadOnlyList<int> peIds)
        {
            _io = io; _guests = guests; _peIds = peIds;
            var spec = io._spec;
            Guests = new GuestIo?[guests.Length];
            _deviceViews = new IGuestMemory?[guests.Length];
            Backends = io.BackendIds.Select(g => g.Select(d => new VirtioBackend?[d.Length]).ToArray()).ToArray();
            for (int g = 0; g < guests.Length; g++)
            {
                for (int d = 0; d < io.BackendIds[g].Length; d++)
                    for (int q = 0; q < io.BackendIds[g][d].Length; q++) _backendOf[io.BackendIds[g][d][q]] = (g, d, q);
                if (spec.Guests[g].Devices.Count > 0) Guests[g] = NewGuest(g, memory, layout.Guests[g], rmm);
            }
        }

        private GuestIo NewGuest(int g, PhysicalMemory memory, GuestRange range, Rmm? rmm)
        {
            var spec = _io._spec.Guests[g];
            var kvm = _guests[g];
            var l = _io.Layouts[g];
            var costs = _io._spec.Platform.Io;
            IGuestMemory driver, rings;
            SwiotlbPool? pool = null;
            if (spec.IsRealm)
            {
                driver = new RealmView(rmm!, kvm, memory, shared: false);
                rings = new RealmView(rmm!, kvm, memory, shared: true);
                pool = new SwiotlbPool(costs.Swiotlb with { PoolBytes = l.PoolBytes }, l.PoolIpa, driver, rings);
            }
            else driver = rings = new VmRamView(memory, range.RamBase, range.RamBytes, $"{spec.Name}'s RAM");
            _deviceViews[g] = rings;
            var devices = new List<IoDevice>();
            foreach (var dl in l.Devices)
            {
                var ds = dl.Spec;
                var device = new IoDevice(ds.Name, ds.IsBlk ? IoDeviceKind.Blk : IoDeviceKind.Net)
                {
                    Station = ds.IsBlk ? -1 : _io.StationOf(g, dl.Index), DataBase = dl.DataBase, SlotBytes = dl.SlotBytes, SlotsPerVcpu = dl.SlotsPerVcpu,
                };
                device.Queues = dl.Queues.Select((ql, q) =>
                {
                    int backend = _io.BackendIds[g][dl.Index][q];
                    kvm.Io.Register(ql.Notify, ql.Notify + GuestIoLayout.Page, ds.Backend == BackendMode.Vhost ? IoHandler.Kernel : IoHandler.User, backend);
                    Func<object> make = ds.IsBlk
                        ? () => new BlkDriver(new DriverQueue(0, ql.Ring, rings, ds.EventIdx), driver, ql.DriverArea, costs.Driver, pool)
                        : () => new NetDriver(new DriverQueue(0, ql.Ring, rings, ds.EventIdx), new DriverQueue(1, ql.Tx!, rings, ds.EventIdx), driver, ql.DriverArea, costs.Driver,
                            ds.RxBufferBytes, pool, dl.TxSlotBytes);
                    return new IoQueue(device, q, backend, ql.Notify, ql.Intid, ql.IrqVcpu, make);
                }).ToArray();
                devices.Add(device);
            }
            return new GuestIo(spec.Name, devices, spec.Vcpus, _io.Resolve, pool);
        }

        /// <summary>Each blk device's SMMU stream: a VM's maps its I/O memory (the pages of its stage 2 the device reaches), a realm's its shared memory.</summary>
        public StreamTable Streams(StreamTable table)
        {
            for (int g = 0; g < _guests.Length; g++)
            {
                var spec = _io._spec.Guests[g];
                var l = _io.Layouts[g];
                foreach (var dl in l.Devices.Where(d => d.Spec.IsBlk))
                {
                    var ste = new StreamTableEntry(secure: false, StreamMode.Stage2);
                    var mem = _guests[g].Memory;
                    if (spec.IsRealm)
                        for (ulong off = 0; off < l.SharedBytes; off += StreamTable.Page) ste.Stage2[(l.SharedIpa + off) / StreamTable.Page] = (mem.SharedBase + off) / StreamTable.Page;
                    else
                        for (ulong ipa = l.IoBase; ipa < l.IoBase + l.IoBytes; ipa += StreamTable.Page) ste.Stage2[ipa / StreamTable.Page] = mem.HostPageOf(ipa) / StreamTable.Page;
                    table.Configure(StreamOf(g, dl.Index), ste, bySecureWorld: false);
                }
            }
            return table;
        }

        public Component Create(int id)
        {
            var io = _io;
            var hw = io._spec.Hardware;
            if (id == io.IrqfdId) return Irqfd = new IrqfdActor(Routes(), Machine.Gic);
            if (id == io.NvmeId) return Nvme = new NvmeActor(hw.Nvme, Machine.Smmu);
            if (id == io.BridgeId) return Bridge = new BridgeActor(io.NicId, Stations());
            if (id == io.NicId)
                return Nic = new NicActor(hw.Nic with { Address = io._network!.NicStation, Stations = Stations().Keys.ToArray() }, io.BridgeId, io._network.SwitchLocalId);
            if (_backendOf.TryGetValue(id, out var b)) return Backends[b.Guest][b.Device][b.Queue] = Backend(b.Guest, b.Device, b.Queue);
            throw new InvalidOperationException($"component {id} is not one of the machine's I/O components");
        }

        private VirtioBackend Backend(int g, int d, int q)
        {
            var io = _io;
            var spec = io._spec.Guests[g];
            var ds = spec.Devices[d];
            var ql = io.Layouts[g].Devices[d].Queues[q];
            var platform = io._spec.Platform;
            var settings = new BackendSettings
            {
                Mode = ds.Backend, Costs = platform.Io.CostsOf(ds.Backend), EventIdx = ds.EventIdx,
                HostCpu = new HostCpu(platform.FrequencyHz, ds.HostPe is { } pe ? _peIds[pe] : null),
                DmaStream = ds.IsBlk ? StreamOf(g, d) : null,
            };
            var view = _deviceViews[g] ?? throw new InvalidOperationException($"guest {spec.Name} has no device memory view");
            var wiring = new BackendWiring(io.IrqfdId, io.IrqfdId, ql.Intid, ds.IsBlk ? io.NvmeId : io.BridgeId);
            return ds.IsBlk ? new BlkBackend(settings, wiring, view, ql.Ring) : new NetBackend(settings, wiring, view, ql.Ring, ql.Tx!);
        }

        /// <summary>Where each backend's interrupts and used-ring updates go.</summary>
        private Dictionary<int, IrqRoute> Routes()
        {
            var routes = new Dictionary<int, IrqRoute>();
            foreach (var (backend, (g, d, q)) in _backendOf)
            {
                var guestIo = Guests[g]!;
                var queue = guestIo.Devices[d].Queues[q];
                Action<Devices.Protocol.UsedPublished> published = queue.Device.Kind == IoDeviceKind.Blk
                    ? p => queue.Blk.OnDevicePublished(p)
                    : p => queue.Net.OnDevicePublished(p);
                routes[backend] = new IrqRoute(_guests[g], queue.IrqVcpu, guestIo, published);
            }
            return routes;
        }

        /// <summary>Station address → the backends of its queue pairs, for the bridge.</summary>
        private Dictionary<int, IReadOnlyList<int>> Stations()
        {
            var stations = new Dictionary<int, IReadOnlyList<int>>();
            var spec = _io._spec;
            for (int g = 0; g < spec.Guests.Count; g++)
                for (int d = 0; d < spec.Guests[g].Devices.Count; d++)
                    if (!spec.Guests[g].Devices[d].IsBlk) stations[_io.StationOf(g, d)] = _io.BackendIds[g][d];
            return stations;
        }
    }
}
