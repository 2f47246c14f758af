using Akka.Configuration.Hocon;
using VirtCca.SecureMonitor;
using VirtCca.Kvm.Realms;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>What a guest takes from the machine when it does not say: machine.configuration, machine.boot and machine.realm.</summary>
internal sealed record GuestDefaults(PlatformConfiguration Configuration, string ConfigurationPath, bool PsciBoot, Fields Realm, Cores.Translation.Block Stage1Block);

/// <summary>One guest as read: its spec, and the path its configuration came from (for the one-TMM check).</summary>
internal sealed record GuestRead(GuestSpec Spec, string ConfigurationPath, string Path);

/// <summary>
/// Reads one entry of <c>machine.guests</c>:
/// <c>{ name, configuration, vcpus, boot, program | programs, realm { ram | ram-pages, image-pages, ipa-bits, hash }, pes = [ PE of each vCPU ] }</c>.
/// </summary>
internal static class GuestReader
{
    public static readonly string[] Known = ["name", "configuration", "vcpus", "boot", "program", "programs", "realm", "pes", "devices", "stage1-pages", "summary", "kind", "sources", "metric", "only", "io", "client"];
    public static readonly string[] RealmKnown = ["ram", "ram-pages", "image-pages", "ipa-bits", "hash", "swiotlb"];
    public static readonly string[] Configurations = PlatformConfigurations.Names;
    public const int MaxVcpus = 1 << 20;
    private const long GranuleBytes = 4096;

    public static GuestRead Read(HoconValue value, string path, int index, GuestDefaults d, long frequencyHz)
    {
        var f = new Fields(value, path, Known, "field of a guest");
        var name = f.Has("name") ? f.Raw("name") : $"guest{index}";
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw f.Error("name", $"'{name}': a guest's name is letters, digits, '-' and '_'");
        var (configuration, configurationPath) = f.Has("configuration")
            ? (PlatformConfigurations.Parse(f.OneOf("configuration", null, Configurations)), f.At("configuration"))
            : (d.Configuration, d.ConfigurationPath);
        int? vcpus = !f.Has("vcpus") || f.Raw("vcpus") == "auto" ? null : f.Int("vcpus", null, 1, MaxVcpus);
        var programs = GuestPrograms.Read(new(f.Value("program"), f.At("program"), f.Value("programs"), f.At("programs"), f.At("vcpus")), vcpus, frequencyHz);
        bool psci = f.Has("boot") ? f.OneOf("boot", null, "all", "psci") == "psci" : d.PsciBoot;
        var own = f.Value("realm") is { } realm ? new Fields(realm, f.At("realm"), RealmKnown, "field of a realm") : null;
        var shape = Realm(own, d.Realm, programs.Count, configuration.HasTmm());
        var stage1 = f.Has("stage1-pages") ? Stage1Block(f.Raw("stage1-pages"), f.At("stage1-pages")) : d.Stage1Block;
        var devices = Io.DeviceReader.Read(f.Value("devices"), f.At("devices"), programs.Count);
        Io.DeviceReader.CheckPrograms(f.At(f.Has("programs") ? "programs" : "program"), programs, devices);
        var spec = new GuestSpec
        {
            Name = name, Configuration = configuration, Programs = programs, PsciBoot = psci, Realm = shape, Pins = Pins(f, programs.Count),
            Devices = devices, SwiotlbBytes = Swiotlb(own, d.Realm), Stage1Block = stage1,
        };
        return new(spec, configurationPath, path);
    }

    /// <summary>
    /// The realm's shape: each field from the guest's own realm block, else machine.realm. RAM is
    /// <c>ram</c> (a size, e.g. 16 GiB: whole 4 KiB pages) or <c>ram-pages</c>, not both in one block.
    /// </summary>
    public static RealmShape Realm(Fields? own, Fields machine, int vcpus, bool isRealm)
    {
        Fields Pick(string key) => own != null && own.Has(key) ? own : machine;
        var ramFrom = own != null && (own.Has("ram") || own.Has("ram-pages")) ? own : machine;
        if (ramFrom == own && own.Has("ram") && own.Has("ram-pages")) throw own.Error("ram", "give ram or ram-pages, not both");
        int imagePages = Pick("image-pages").Int("image-pages", null, 1);
        // ram is all of guest RAM, populated on demand past the image and host-call blocks; ram-pages is populated at creation.
        bool sized = ramFrom.Has("ram");
        int ramPages = sized ? Math.Min(Pages(ramFrom), RealmShape.DefaultRamPages(imagePages, vcpus))
            : ramFrom.Int("ram-pages", RealmShape.DefaultRamPages(imagePages, vcpus), 1);
        var shape = new RealmShape
        {
            RamPages = ramPages,
            RamBytes = sized ? (ulong)Pages(ramFrom) * GranuleBytes : 0,
            ImagePages = imagePages,
            IpaBits = (byte)Pick("ipa-bits").Int("ipa-bits", null, 32, 48),
            HashAlgorithm = (byte)(Pick("hash").OneOf("hash", null, "sha256", "sha512") == "sha256" ? 0 : 1),
            Vcpus = vcpus,
        };
        if (isRealm && shape.Problem() is { } problem) throw new ConfigPathException(own?.Path ?? machine.Path, problem);
        return shape;
    }

    /// <summary>stage1-pages = 4k | 2m | 1g: the guest OS's leaf size for its working set.</summary>
    public static Cores.Translation.Block Stage1Block(string text, string path)
    {
        try { return Cores.Translation.Blocks.Parse(text); }
        catch (ArgumentException e) { throw new ConfigPathException(path, e.Message); }
    }

    /// <summary>A realm's bounce pool: realm.swiotlb (a size, whole 2 KiB slots) of the guest, else of the machine.</summary>
    public static long Swiotlb(Fields? own, Fields machine)
    {
        var f = own != null && own.Has("swiotlb") ? own : machine;
        if (!f.Has("swiotlb")) return 64L << 20;
        long bytes = f.Bytes("swiotlb");
        return bytes >= 2048 && bytes % 2048 == 0 && bytes <= 1L << 34 ? bytes : throw f.Error("swiotlb", $"{bytes} bytes is not a whole number of 2 KiB slots up to 16 GiB");
    }

    private static int Pages(Fields f)
    {
        long bytes = f.Bytes("ram");
        if (bytes <= 0 || bytes % GranuleBytes != 0) throw f.Error("ram", $"{bytes} bytes is not a whole number of 4 KiB pages");
        long pages = bytes / GranuleBytes;
        return pages <= int.MaxValue ? (int)pages : throw f.Error("ram", $"{pages} pages is more than a realm can have here ({int.MaxValue})");
    }

    /// <summary>pes = [ the PE of vCPU 0, of vCPU 1, ... ]; checked against the machine's PEs once all guests are read.</summary>
    private static IReadOnlyList<int>? Pins(Fields f, int vcpus)
    {
        if (f.Value("pes") is not { } list) return null;
        if (!Hocon.IsList(list)) throw f.Error("pes", "expected a list: the PE of each vCPU, e.g. [0, 1]");
        var items = Hocon.Elements(list);
        if (items.Count != vcpus) throw f.Error("pes", $"{items.Count} PEs for {vcpus} vCPUs; give one PE per vCPU");
        return items.Select((v, i) => Scalars.Long(v.GetString() ?? "", 0, int.MaxValue, out var pe) is { } problem
            ? throw new ConfigPathException(ConfigPath.Index(f.At("pes"), i), problem) : (int)pe).ToArray();
    }
}
