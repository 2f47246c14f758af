using Akka.Configuration.Hocon;
using VirtCca.Cores.Workloads;
using VirtCca.Devices.Load;
using VirtCca.Devices.Network;
using VirtCca.Interconnect;
using VirtCca.Launcher.Composition.Io;
using VirtCca.Launcher.Config;
using VirtCca.SecureMonitor;
using HoconConfig = Akka.Configuration.Config;

namespace VirtCca.Launcher.Composition.Network;

/// <summary>
/// Reads <c>network { }</c> and <c>machines = [ … ]</c> (model.type = network) into a <see cref="NetworkSpec"/>.
/// Each entry of machines takes machine { }'s keys, which it defaults to, plus <c>name</c>, <c>count</c>
/// (N copies named NAME0…), its own <c>platform</c> (default: the top-level one) and, for a client
/// machine, <c>load { }</c> instead of guests. Every field is checked and every error names its path.
/// </summary>
public static class NetworkReader
{
    public static readonly string[] MachineKnown = ["name", "count", "platform", "pes", "configuration", "boot", "realm", "guests", "scheduler", "nvme", "nic", "load"];
    public static readonly string[] LoadKnown = ["mode", "connections", "rate", "requests", "request-bytes", "response-bytes", "think-time", "start-at", "servers"];
    public static readonly string[] SchedulerKnown = ["time-slice", "context-switch-cycles"];

    public static NetworkSpec Read(ConfigReader r)
    {
        try { return ReadChecked(r); }
        catch (ConfigPathException e) { throw r.Error(e); }
    }

    private static NetworkSpec ReadChecked(ConfigReader r)
    {
        var config = r.Config;
        var links = new NetworkLinks
        {
            LinkLatency = r.Time("network.link-latency"),
            Switch = new SwitchSettings { ForwardingLatency = r.Time("network.switch-latency", positive: false), PortBitsPerSecond = r.Long("network.port-bandwidth", 1) },
        };
        var list = config.GetValue("machines");
        if (list == null || !Hocon.IsList(list) || Hocon.Elements(list).Count == 0)
            throw r.Error("machines", "a network needs machines = [ { name = server, guests = [ … ] }, { name = client, load { … } } ]");
        var machines = new List<NetMachineSpec>();
        var entries = Hocon.Elements(list);
        for (int i = 0; i < entries.Count; i++)
        {
            string path = ConfigPath.Index("machines", i);
            var f = new Fields(entries[i], path, MachineKnown, "field of a machine");
            string name = f.Has("name") ? f.Raw("name") : $"machine{i}";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) throw f.Error("name", $"'{name}': a machine's name is letters, digits, '-' and '_'");
            int count = f.Int("count", 1, 1, 4096);
            var one = Machine(r, f, name) with { Path = path };
            for (int k = 0; k < count; k++)
            {
                string n = count == 1 ? name : $"{name}{k}";
                if (machines.Any(m => m.Name == n)) throw f.Error("name", $"'{n}' is the name of another machine");
                machines.Add(one with { Name = n });
            }
        }
        var spec = new NetworkSpec { Machines = machines, Links = links };
        Check(spec);
        return spec;
    }

    private static NetMachineSpec Machine(ConfigReader r, Fields f, string name)
    {
        var config = r.Config;
        var platformPath = f.Has("platform") ? f.At("platform") : "platform";
        var platformValue = f.Value("platform") ?? (config.HasPath("platform") ? config.GetValue("platform") : null);
        if (platformValue == null || !platformValue.IsObject())
            throw new ConfigPathException(platformPath, "each machine needs a platform { } block: its own, or the top-level one (include \"../platforms/kunpeng-64.conf\")");
        PlatformSettings platform;
        try { platform = PlatformLoader.From(new HoconConfig(new HoconRoot(platformValue))); }
        catch (ConfigPathException e) { throw new ConfigPathException(platformPath + e.Path["platform".Length..], e.Problem); }
        var nic = DeviceReader.Nic(f.Value("nic") ?? r.Config.GetValue("machine.nic"), f.Has("nic") ? f.At("nic") : "machine.nic");

        if (f.Value("load") is { } load)
        {
            foreach (var key in new[] { "guests", "pes", "configuration", "boot", "realm", "scheduler", "nvme" })
                if (f.Has(key)) throw f.Error(key, "a client machine (with load { }) runs a load generator, not guests");
            return new NetMachineSpec(name, null, Load(load, f.At("load")), nic, platform.Io.PcieLink);
        }
        if (f.Value("guests") is not { } guestsValue || !Hocon.IsList(guestsValue) || Hocon.Elements(guestsValue).Count == 0)
            throw f.Error("guests", "missing: a server machine needs guests = [ { … } ], a client machine load { }");

        var machineRealm = new Fields(config.GetValue("machine.realm"), "machine.realm", GuestReader.RealmKnown, "field of a realm");
        var realm = f.Value("realm") is { } own ? new Fields(own, f.At("realm"), GuestReader.RealmKnown, "field of a realm") : machineRealm;
        var (configuration, configurationPath) = f.Has("configuration")
            ? (PlatformConfigurations.Parse(f.OneOf("configuration", null, GuestReader.Configurations)), f.At("configuration"))
            : (PlatformConfigurations.Parse(r.OneOf("machine.configuration", GuestReader.Configurations)), "machine.configuration");
        bool psci = f.Has("boot") ? f.OneOf("boot", null, "all", "psci") == "psci" : r.OneOf("machine.boot", "all", "psci") == "psci";
        var defaults = new GuestDefaults(configuration, configurationPath, psci, realm, GuestReader.Stage1Block(r.Raw("machine.stage1-pages"), "machine.stage1-pages"));
        var guests = new List<GuestRead>();
        var items = Hocon.Elements(guestsValue);
        for (int g = 0; g < items.Count; g++)
        {
            var read = GuestReader.Read(items[g], ConfigPath.Index(f.At("guests"), g), g, defaults, platform.FrequencyHz);
            if (guests.FirstOrDefault(o => o.Spec.Name == read.Spec.Name) is { } same)
                throw new ConfigPathException(ConfigPath.Key(read.Path, "name"), $"'{read.Spec.Name}' is also the name of {same.Path}; guest names must differ");
            guests.Add(read);
        }
        MachineConfig.CheckOneTmm(guests);
        int total = guests.Sum(g => g.Spec.Vcpus);
        string pesPath = f.Has("pes") ? f.At("pes") : "machine.pes";
        string pesRaw = f.Has("pes") ? f.Raw("pes") : r.Raw("machine.pes");
        int? pes = pesRaw == "auto" ? null : Scalars.Long(pesRaw, 1, platform.Pes, out var n) is { } bad ? throw new ConfigPathException(pesPath, bad) : (int)n;
        if (pes == null && total > platform.Pes)
            throw new ConfigPathException(pesPath, $"auto gives every vCPU its own PE, but {total} vCPUs are more than the platform's {platform.Pes} PEs; set pes (vCPUs then share PEs)");
        MachineConfig.CheckPins(guests, pes ?? total);
        MachineConfig.CheckHostThreads(guests, pes ?? total);
        var scheduler = f.Value("scheduler") is { } sv ? Scheduler(new Fields(sv, f.At("scheduler"), SchedulerKnown, "setting of the scheduler"))
            : new SchedulerSpec { TimeSlice = r.Time("machine.scheduler.time-slice"), ContextSwitchCycles = r.Long("machine.scheduler.context-switch-cycles", 0) };
        var hardware = new MachineHardware
        {
            Nvme = DeviceReader.Nvme(f.Value("nvme") ?? config.GetValue("machine.nvme"), f.Has("nvme") ? f.At("nvme") : "machine.nvme"),
            Nic = nic,
        };
        var spec = new MachineSpec { Platform = platform, Pes = pes, Guests = guests.Select(g => g.Spec).ToArray(), Scheduler = scheduler, Hardware = hardware };
        return new NetMachineSpec(name, spec, null, nic, platform.Io.PcieLink);
    }

    private static SchedulerSpec Scheduler(Fields f)
    {
        var d = new SchedulerSpec();
        return new SchedulerSpec
        {
            TimeSlice = f.Has("time-slice") ? f.Time("time-slice") : d.TimeSlice,
            ContextSwitchCycles = f.Long("context-switch-cycles", d.ContextSwitchCycles),
        };
    }

    private static LoadSpec Load(HoconValue value, string path)
    {
        var f = new Fields(value, path, LoadKnown, "setting of a load generator");
        var mode = f.OneOf("mode", "closed", "open", "closed") == "open" ? LoadMode.Open : LoadMode.Closed;
        if (mode == LoadMode.Open && f.Has("connections")) throw f.Error("connections", "an open-loop generator sends at a rate; connections is for mode = closed");
        if (mode == LoadMode.Closed && f.Has("rate")) throw f.Error("rate", "a closed-loop generator sends when answered; rate is for mode = open");
        if (mode == LoadMode.Open && !f.Has("rate")) throw f.Error("rate", "missing: an open-loop generator needs rate = requests per second");
        double rate = 0;
        if (f.Has("rate") && Scalars.Double(f.Raw("rate"), 1e-3, 1e12, out rate) is { } badRate) throw f.Error("rate", badRate);
        var d = new LoadSettings();
        var settings = new LoadSettings
        {
            Mode = mode,
            RatePerSecond = mode == LoadMode.Open ? rate : d.RatePerSecond,
            Connections = f.Int("connections", d.Connections, 1, 1 << 20),
            Requests = f.Long("requests", d.Requests, 1),
            RequestBytes = f.Int("request-bytes", d.RequestBytes, AppMessage.HeaderBytes, 65_535 - 14),
            ResponseBytes = f.Int("response-bytes", d.ResponseBytes, AppMessage.HeaderBytes, 65_535 - 14),
            ThinkTime = f.Has("think-time") ? f.Time("think-time", positive: false) : SimTime.Zero,
            StartAt = f.Has("start-at") ? f.Time("start-at", positive: false) : SimTime.Zero,
        };
        IReadOnlyList<string> servers = ["all"];
        if (f.Value("servers") is { } sv)
            servers = Hocon.IsList(sv) ? Hocon.Elements(sv).Select(v => v.GetString()?.Trim() ?? "").ToArray() : [f.Raw("servers")];
        if (servers.Count == 0) throw f.Error("servers", "an empty list: name the servers (\"machine/guest\", * for any characters) or say all");
        return new LoadSpec(settings, servers);
    }

    /// <summary>What needs the whole network: a load's servers exist and can carry its responses; net-send destinations exist.</summary>
    private static void Check(NetworkSpec spec)
    {
        for (int m = 0; m < spec.Machines.Count; m++)
        {
            var nm = spec.Machines[m];
            if (nm.Load is { } load)
            {
                var servers = spec.Servers(load.Servers);
                if (servers.Count == 0)
                    throw new ConfigPathException($"{nm.Path}.load.servers", $"[{string.Join(", ", load.Servers)}] names no guest with a virtio-net device that serves (stations: {string.Join(", ", spec.Stations.Where(s => s.IsGuest).Select(s => s.Name))})");
                foreach (var s in servers)
                {
                    var dev = spec.Machines[s.Machine].Machine!.Guests[s.Guest].Devices[s.Device];
                    if (!spec.Serves(s))
                        throw new ConfigPathException($"{nm.Path}.load.servers",
                            $"{s.Name} does not serve on {dev.Name} (no serve op): its requests would never be answered; name the serving guests, e.g. servers = [\"{spec.Machines[s.Machine].Name}/*\"]");
                    if (load.Settings.ResponseBytes > dev.MaxPacketBytes)
                        throw new ConfigPathException($"{nm.Path}.load.response-bytes",
                            $"{load.Settings.ResponseBytes} bytes is more than {s.Name}'s device {dev.Name} sends (max-packet = {dev.MaxPacketBytes})");
                }
                continue;
            }
            foreach (var g in nm.Machine!.Guests)
                foreach (var op in g.Programs.SelectMany(GuestIoLayout.Leaves).OfType<NetSend>().Distinct())
                    if (spec.Find(op.To) == null)
                        throw new ConfigPathException($"{nm.Path}.guests",
                            $"net-send to '{op.To}': no such station ({string.Join(", ", spec.Stations.Where(s => s.IsGuest).Select(s => s.Name))})");
        }
    }
}
