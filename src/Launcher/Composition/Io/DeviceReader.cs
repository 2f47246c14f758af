using Akka.Configuration.Hocon;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Block;
using VirtCca.Devices.Network;
using VirtCca.Devices.Virtio.Backend;
using VirtCca.Interconnect;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition.Io;

/// <summary>
/// Reads a guest's <c>devices = [ { name, type, backend, host-thread, event-idx, queue-size, queues,
/// rx-buffer-bytes, max-packet } ]</c> and a machine's <c>nvme { }</c> and <c>nic { }</c>; every field
/// checked, every error naming its path.
/// </summary>
public static class DeviceReader
{
    public static readonly string[] Known = ["name", "type", "backend", "host-thread", "event-idx", "queue-size", "queues", "rx-buffer-bytes", "max-packet"];
    public static readonly string[] NvmeKnown = ["queue-depth", "read-latency", "write-latency", "flush-latency", "read-bandwidth", "write-bandwidth", "read-iops", "write-iops"];
    public static readonly string[] NicKnown = ["bandwidth", "mtu"];

    public static IReadOnlyList<DeviceSpec> Read(HoconValue? list, string path, int vcpus)
    {
        if (list == null || Hocon.IsEmptyList(list)) return Array.Empty<DeviceSpec>(); // one instance: specs without devices compare equal
        if (!Hocon.IsList(list)) throw new ConfigPathException(path, "expected a list of devices: [ { name = disk, type = virtio-blk }, { name = eth0, type = virtio-net } ]");
        var devices = new List<DeviceSpec>();
        var items = Hocon.Elements(list);
        for (int i = 0; i < items.Count; i++)
        {
            var f = new Fields(items[i], ConfigPath.Index(path, i), Known, "field of a device");
            var type = f.OneOf("type", null, "virtio-blk", "virtio-net") == "virtio-blk" ? DeviceType.VirtioBlk : DeviceType.VirtioNet;
            var name = f.Has("name") ? f.Raw("name") : $"{(type == DeviceType.VirtioBlk ? "vd" : "eth")}{devices.Count(d => d.Type == type)}";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) throw f.Error("name", $"'{name}': a device's name is letters, digits, '-' and '_'");
            if (devices.Any(d => d.Name == name)) throw f.Error("name", $"'{name}' is the name of another device of this guest");
            int size = f.Int("queue-size", 256, 2, 32768);
            if ((size & (size - 1)) != 0) throw f.Error("queue-size", $"{size} is not a power of two");
            bool net = type == DeviceType.VirtioNet;
            if (!net && (f.Has("rx-buffer-bytes") || f.Has("max-packet"))) throw f.Error(f.Has("rx-buffer-bytes") ? "rx-buffer-bytes" : "max-packet", "a virtio-net setting on a virtio-blk device");
            devices.Add(new DeviceSpec
            {
                Name = name,
                Type = type,
                Backend = f.OneOf("backend", "vhost", "vhost", "user") == "user" ? BackendMode.User : BackendMode.Vhost,
                HostPe = HostThread(f),
                EventIdx = f.Bool("event-idx", true),
                QueueSize = (ushort)size,
                Queues = f.Has("queues") && f.Raw("queues") == "vcpus" ? vcpus : f.Int("queues", 1, 1, 256),
                RxBufferBytes = f.Int("rx-buffer-bytes", 2048, 64, 65_536),
                MaxPacketBytes = f.Int("max-packet", 1500, 64, 65_535 - 14),
            });
        }
        return devices;
    }

    /// <summary><c>host-thread = dedicated</c> (an I/O core of its own), or <c>pe N</c> / <c>N</c>: the machine's PE N, shared with vCPUs.</summary>
    private static int? HostThread(Fields f)
    {
        if (!f.Has("host-thread")) return null;
        var v = f.Raw("host-thread");
        if (v == "dedicated") return null;
        var n = v.StartsWith("pe ", StringComparison.Ordinal) ? v[3..].Trim() : v;
        return Scalars.Long(n, 0, int.MaxValue, out var pe) is null ? (int)pe
            : throw f.Error("host-thread", $"'{v}' is not 'dedicated' or 'pe N' (a PE of the machine)");
    }

    /// <summary>Checks what a guest's programs ask of its devices: each I/O operation names a device of the right kind that exists.</summary>
    public static void CheckPrograms(string path, IReadOnlyList<IReadOnlyList<Op>> programs, IReadOnlyList<DeviceSpec> devices)
    {
        foreach (var op in programs.SelectMany(GuestIoLayout.Leaves).Distinct())
        {
            var (device, blk) = op switch
            {
                BlockIo b => (b.Device, true),
                NetSend s => (s.Device, false),
                NetReceive r => (r.Device, false),
                Serve s => (s.Device, false),
                _ => ((string?)null, (bool?)null),
            };
            if (blk is not { } isBlk) continue;
            var kind = isBlk ? "virtio-blk" : "virtio-net";
            var candidates = devices.Where(d => d.IsBlk == isBlk).ToArray();
            string op2 = WorkloadReader.NameOf(op);
            if (candidates.Length == 0)
                throw new ConfigPathException(path, $"a {op2} operation needs a {kind} device; the guest has none (add devices = [ {{ type = {kind} }} ])");
            if (device == null && candidates.Length > 1)
                throw new ConfigPathException(path, $"a {op2} operation names no device, and the guest has {candidates.Length} {kind} devices ({string.Join(", ", candidates.Select(c => c.Name))}); say device = …");
            if (device != null && candidates.All(c => c.Name != device))
                throw new ConfigPathException(path, $"a {op2} operation names device '{device}', which is not a {kind} device of the guest ({string.Join(", ", candidates.Select(c => c.Name))})");
            if (op is NetSend ns && candidates.First(c => device == null || c.Name == device) is var nd && ns.Bytes > nd.MaxPacketBytes)
                throw new ConfigPathException(path, $"a net-send of {ns.Bytes} bytes is larger than device {nd.Name}'s max-packet = {nd.MaxPacketBytes}");
        }
    }

    public static NvmeSettings Nvme(HoconValue? value, string path)
    {
        var d = new NvmeSettings();
        if (value == null) return d;
        var f = new Fields(value, path, NvmeKnown, "setting of the NVMe device");
        SimTime T(string k, SimTime fallback) => f.Has(k) ? f.Time(k) : fallback;
        long B(string k, long fallback) => f.Has(k) ? PositiveBytes(f, k) : fallback;
        return d with
        {
            QueueDepth = f.Int("queue-depth", d.QueueDepth, 1, 65_536),
            ReadLatency = T("read-latency", d.ReadLatency),
            WriteLatency = T("write-latency", d.WriteLatency),
            FlushLatency = T("flush-latency", d.FlushLatency),
            ReadBytesPerSecond = B("read-bandwidth", d.ReadBytesPerSecond),
            WriteBytesPerSecond = B("write-bandwidth", d.WriteBytesPerSecond),
            ReadIops = f.Long("read-iops", d.ReadIops, 1),
            WriteIops = f.Long("write-iops", d.WriteIops, 1),
        };
    }

    public static NicSettings Nic(HoconValue? value, string path)
    {
        var d = new NicSettings();
        if (value == null) return d;
        var f = new Fields(value, path, NicKnown, "setting of the NIC");
        return d with { BitsPerSecond = f.Long("bandwidth", d.BitsPerSecond, 1), Mtu = f.Int("mtu", d.Mtu, 68, 9216) };
    }

    /// <summary>A rate in bytes per second, written as a size per second ("3.2 GB") or a number.</summary>
    private static long PositiveBytes(Fields f, string key)
    {
        long b = f.Bytes(key);
        return b > 0 ? b : throw f.Error(key, "must be greater than zero (bytes per second)");
    }
}
