using VirtCca.SecureMonitor;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Reads machine.* and the platform { } block into a <see cref="MachineSpec"/>: the guests
/// (<c>machine.guests = [ { … }, … ]</c>, or the single-guest keys machine.vcpus / program / programs),
/// the PEs and the host's scheduler. Everything a program names — vCPUs, PEs — is checked here, before
/// a run; every problem names where its value was written.
/// </summary>
public static class MachineConfig
{
    public static MachineSpec Read(ConfigReader r)
    {
        try { return ReadChecked(r); }
        catch (ConfigPathException e) { throw r.Error(e); }
    }

    private static MachineSpec ReadChecked(ConfigReader r)
    {
        var config = r.Config;
        var platform = Platform(r);

        if (r.Has("machine.realm.ram") && r.Loaded.IsSet("machine.realm.ram-pages"))
            throw r.Error("machine.realm.ram", "give ram or ram-pages, not both");
        var defaults = new GuestDefaults(
            PlatformConfigurations.Parse(r.OneOf("machine.configuration", GuestReader.Configurations)), "machine.configuration",
            r.OneOf("machine.boot", "all", "psci") == "psci",
            new Fields(config.GetValue("machine.realm"), "machine.realm", GuestReader.RealmKnown, "field of a realm"),
            GuestReader.Stage1Block(r.Raw("machine.stage1-pages"), "machine.stage1-pages"));

        var guests = r.Raw("machine.workload") is var w && w != "none" ? Workload(r, w, defaults, platform.FrequencyHz) : Guests(r, defaults, platform.FrequencyHz);
        double scale = r.Double("machine.scale", 1e-9, 1e9);
        if (scale != 1) guests = guests.Select(g => g with { Spec = g.Spec with { Programs = g.Spec.Programs.Select(p => ProgramScale.Apply(p, scale)).ToArray() } }).ToList();
        CheckOneTmm(guests);
        CheckPlatform(guests, platform);
        int total = guests.Sum(g => g.Spec.Vcpus);
        int? pes = r.IntOrAuto("machine.pes", 1, platform.Pes);
        if (pes == null && total > platform.Pes)
            throw r.Error("machine.pes", $"auto gives every vCPU its own PE, but {total} vCPUs are more than the platform's {platform.Pes} PEs; set machine.pes (vCPUs then share PEs)");
        CheckPins(guests, pes ?? total);

        CheckHostThreads(guests, pes ?? total);

        var scheduler = new SchedulerSpec
        {
            TimeSlice = r.Time("machine.scheduler.time-slice"),
            ContextSwitchCycles = r.Long("machine.scheduler.context-switch-cycles", 0),
        };
        var specs = guests.Select(g => g.Spec).ToArray();
        var host = AttackReader.Read(r, specs, pes ?? total);
        var abi = r.OneOf("machine.abi", "rmi", "tmi") == "tmi" ? Tmm.Abi.HostAbi.Tmi : Tmm.Abi.HostAbi.Rmi;
        var hardware = new Io.MachineHardware
        {
            Nvme = Io.DeviceReader.Nvme(Value(r, "machine.nvme"), "machine.nvme"),
            Nic = Io.DeviceReader.Nic(Value(r, "machine.nic"), "machine.nic"),
        };
        var placement = r.OneOf("machine.placement", "machine", "guest") == "guest" ? MachinePlacement.ByGuest : MachinePlacement.OneGroup;
        return new MachineSpec { Platform = platform, Pes = pes, Guests = specs, Scheduler = scheduler, Host = host, Abi = abi, Hardware = hardware, Placement = placement };
    }

    /// <summary>machine.guests, or — when it is empty — one guest from the single-guest keys.</summary>
    private static List<GuestRead> Guests(ConfigReader r, GuestDefaults defaults, long frequencyHz)
    {
        var config = r.Config;
        var list = config.GetValue("machine.guests");
        if (!Hocon.IsList(list)) throw r.Error("machine.guests", "expected a list of guests: [ { name = a, configuration = …, vcpus = …, program = [ … ] }, … ]");
        var entries = Hocon.Elements(list);
        if (entries.Count == 0)
        {
            int? vcpus = r.Raw("machine.vcpus") == "auto" ? null : r.Int("machine.vcpus", 1, GuestReader.MaxVcpus);
            var programs = GuestPrograms.Read(new(Value(r, "machine.program"), "machine.program", Value(r, "machine.programs"), "machine.programs", "machine.vcpus"),
                vcpus, frequencyHz);
            var shape = GuestReader.Realm(null, defaults.Realm, programs.Count, defaults.Configuration.HasTmm());
            var devices = Io.DeviceReader.Read(Value(r, "machine.devices"), "machine.devices", programs.Count);
            Io.DeviceReader.CheckPrograms(r.Has("machine.program") ? "machine.program" : "machine.programs", programs, devices);
            return [new(new GuestSpec
            {
                Name = "guest0", Configuration = defaults.Configuration, Programs = programs, PsciBoot = defaults.PsciBoot, Realm = shape,
                Devices = devices, SwiotlbBytes = GuestReader.Swiotlb(null, defaults.Realm),
            }, defaults.ConfigurationPath, "machine")];
        }

        // The single-guest keys describe one guest: beside a list of guests they would be silently ignored.
        if (r.Raw("machine.vcpus") != "auto") throw r.Error("machine.vcpus", "set together with machine.guests: each guest gives its own vcpus");
        if (r.Has("machine.program")) throw r.Error("machine.program", "set together with machine.guests: each guest gives its own program");
        if (Value(r, "machine.programs") is { } p && !Hocon.IsEmptyList(p)) throw r.Error("machine.programs", "set together with machine.guests: each guest gives its own programs");
        if (Value(r, "machine.devices") is { } dv && !Hocon.IsEmptyList(dv)) throw r.Error("machine.devices", "set together with machine.guests: each guest gives its own devices");

        var guests = new List<GuestRead>();
        for (int i = 0; i < entries.Count; i++)
        {
            var g = GuestReader.Read(entries[i], ConfigPath.Index("machine.guests", i), i, defaults, frequencyHz);
            if (guests.FirstOrDefault(o => o.Spec.Name == g.Spec.Name) is { } same)
                throw new ConfigPathException(ConfigPath.Key(g.Path, "name"), $"'{g.Spec.Name}' is also the name of {same.Path}; guest names must differ");
            guests.Add(g);
        }
        return guests;
    }

    /// <summary>
    /// The platform: machine.platform-file (a platform file, relative to the experiment's file) when set,
    /// else the experiment's platform { } block.
    /// </summary>
    private static PlatformSettings Platform(ConfigReader r)
    {
        var config = r.Config;
        if (r.Raw("machine.platform-file") is var file && file != "none")
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(r.Loaded.File)) ?? ".", file));
            if (!File.Exists(path)) throw r.Error("machine.platform-file", $"file not found ({path})");
            try { return PlatformLoader.LoadFile(path); }
            catch (ConfigPathException e) { throw new ConfigPathException("machine.platform-file", $"{file}: {e.Path}: {e.Problem}"); }
        }
        if (!config.HasPath("platform") || !config.GetValue("platform").IsObject())
            throw r.Error("platform", "the machine model needs a platform { } block, e.g. include \"../platforms/kunpeng-64.conf\" (or machine.platform-file)");
        return PlatformLoader.From(config.GetConfig("platform"));
    }

    /// <summary>
    /// machine.workload = NAME: the guest is workloads.NAME (a workload file's guest: vcpus, boot, program(s), realm, ...).
    /// A workload that says <c>client { }</c> (a guest's fields) gets that guest beside it, a normal VM by default
    /// (named client): the load generator of a network workload, talking to it over the machine's bridge,
    /// the same in every configuration so that only the server's path differs.
    /// </summary>
    private static List<GuestRead> Workload(ConfigReader r, string name, GuestDefaults defaults, long frequencyHz)
    {
        var server = WorkloadGuest(r, name, defaults, frequencyHz);
        var path = ConfigPath.Key(ConfigPath.Key("workloads", name), "client");
        if (!r.Config.HasPath(path) || Hocon.IsNull(r.Config.GetValue(path))) return [server];
        if (server.Spec.Configuration == PlatformConfiguration.Native)
            throw r.Error("machine.configuration", $"native is bare metal, the machine's only guest, but workload '{name}' runs a client guest beside it (workloads.{name}.client)");
        var value = r.Config.GetValue(path);
        if (!value.IsObject()) throw new ConfigPathException(path, "expected an object: the client guest's fields (program, devices, ...)");
        if (value.GetObject().Items.ContainsKey("client")) throw new ConfigPathException(ConfigPath.Key(path, "client"), "a client has no client of its own");
        var client = GuestReader.Read(value, path, 1, defaults with { Configuration = PlatformConfiguration.Baseline, ConfigurationPath = path }, frequencyHz);
        if (!value.GetObject().Items.ContainsKey("name")) client = client with { Spec = client.Spec with { Name = "client" } };
        if (client.Spec.Name == server.Spec.Name) throw new ConfigPathException(ConfigPath.Key(path, "name"), $"'{client.Spec.Name}' is the workload's own name");
        return [server, client];
    }

    private static GuestRead WorkloadGuest(ConfigReader r, string name, GuestDefaults defaults, long frequencyHz)
    {
        string path = ConfigPath.Key("workloads", name);
        if (!r.Config.HasPath(path) || !r.Config.GetValue(path).IsObject())
        {
            var known = r.Config.HasPath("workloads") && r.Config.GetValue("workloads").IsObject() ? r.Config.GetValue("workloads").GetObject().Items.Keys.ToArray() : [];
            throw r.Error("machine.workload", $"no workload '{name}' {(known.Length == 0 ? "(no workloads { } are defined; include a file of HOCON/workloads/)" : DidYouMean.Suggest(name, known) + $" (defined: {string.Join(", ", known)})")}");
        }
        if (r.Has("machine.program") || Value(r, "machine.programs") is { } p && !Hocon.IsEmptyList(p) || Hocon.Elements(r.Config.GetValue("machine.guests")).Count > 0)
            throw r.Error("machine.workload", "set together with machine.program(s) or machine.guests; a workload is the machine's one guest");
        var value = r.Config.GetValue(path);
        if (value.GetObject().Items.ContainsKey("configuration"))
            throw new ConfigPathException(ConfigPath.Key(path, "configuration"), "a workload runs in whatever machine.configuration says; leave it out");
        return GuestReader.Read(value, path, 0, defaults, frequencyHz) is var g ? g with { Spec = g.Spec with { Name = Sanitise(name) } } : g;
    }

    private static string Sanitise(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    /// <summary>The platform's hardware must be able to run every guest's configuration; bare metal runs one program, alone.</summary>
    private static void CheckPlatform(List<GuestRead> guests, PlatformSettings platform)
    {
        foreach (var g in guests)
            if (platform.Refuses(g.Spec.Configuration) is { } why) throw new ConfigPathException(g.ConfigurationPath, why);
        var native = guests.FirstOrDefault(g => g.Spec.Configuration == PlatformConfiguration.Native);
        if (native != null && guests.Count > 1)
            throw new ConfigPathException(native.ConfigurationPath, "native is bare metal: the program runs on the host itself, so it is the machine's only guest");
    }

    private static Akka.Configuration.Hocon.HoconValue? Value(ConfigReader r, string key) => r.Has(key) ? r.Config.GetValue(key) : null;

    /// <summary>The firmware puts the TMM at S-EL2 or in EL3: realms of both kinds cannot share a machine.</summary>
    internal static void CheckOneTmm(List<GuestRead> guests)
    {
        var first = guests.FirstOrDefault(g => g.Spec.IsRealm);
        if (first == null) return;
        foreach (var g in guests.Where(g => g.Spec.IsRealm && g.Spec.Configuration != first.Spec.Configuration))
            throw new ConfigPathException(g.ConfigurationPath,
                $"{g.Spec.Configuration.Name()} beside {first.Spec.Configuration.Name()} (guest '{first.Spec.Name}'): the firmware puts the TMM at S-EL2 or in EL3, " +
                "so a machine's realms share one configuration (baseline guests may join either)");
    }

    /// <summary>A device backend's host thread on a PE needs that PE.</summary>
    internal static void CheckHostThreads(List<GuestRead> guests, int pes)
    {
        foreach (var g in guests)
            for (int d = 0; d < g.Spec.Devices.Count; d++)
                if (g.Spec.Devices[d].HostPe is { } pe && pe >= pes)
                    throw new ConfigPathException(ConfigPath.Key(ConfigPath.Index(ConfigPath.Key(g.Path, "devices"), d), "host-thread"),
                        $"PE {pe} does not exist: the machine has {pes} PEs (0..{pes - 1}; machine.pes)");
    }

    internal static void CheckPins(List<GuestRead> guests, int pes)
    {
        foreach (var g in guests)
            for (int v = 0; v < (g.Spec.Pins?.Count ?? 0); v++)
                if (g.Spec.Pins![v] >= pes)
                    throw new ConfigPathException(ConfigPath.Index(ConfigPath.Key(g.Path, "pes"), v),
                        $"PE {g.Spec.Pins[v]} does not exist: the machine has {pes} PEs (0..{pes - 1}; machine.pes)");
    }
}
