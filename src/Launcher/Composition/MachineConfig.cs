using VirtCca.Launcher.Composition;
using Akka.Configuration;
using VirtCca.Cores.Workloads;
using VirtCca.Launcher.Config;
using VirtCca.Interconnect;
using VirtCca.Kvm.Realms;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>Reads machine.* and the platform { } block into a <see cref="MachineSpec"/>; every problem names its key.</summary>
internal static class MachineConfig
{
    public static MachineSpec Read(ConfigReader r)
    {
        var config = r.Config;
        if (!config.HasPath("platform") || !config.GetValue("platform").IsObject())
            throw r.Error("platform", "the machine model needs a platform { } block, e.g. include \"../platforms/kunpeng-64.conf\"");
        PlatformSettings platform;
        try { platform = PlatformLoader.From(config.GetConfig("platform")); }
        catch (ArgumentException e) { throw r.Error("platform", e.Message); }

        var configuration = PlatformConfigurations.Parse(r.OneOf("machine.configuration", "baseline", "virtcca-sel2", "virtcca-el3"));
        int vcpus = r.Int("machine.vcpus", 1, platform.Pes);
        var programs = Programs(r, config, vcpus);
        int? pes = r.IntOrAuto("machine.pes", 1, platform.Pes);
        bool psciBoot = r.OneOf("machine.boot", "all", "psci") == "psci";
        if (pes < vcpus) throw r.Error("machine.pes", $"{pes} PEs cannot run {vcpus} vCPUs (one vCPU per PE)");

        var shape = new RealmShape
        {
            RamPages = r.Int("machine.realm.ram-pages", 1, 512),
            ImagePages = r.Int("machine.realm.image-pages", 1, 512),
            IpaBits = (byte)r.Int("machine.realm.ipa-bits", 32, 48),
            HashAlgorithm = (byte)(r.OneOf("machine.realm.hash", "sha256", "sha512") == "sha256" ? 0 : 1),
            Vcpus = vcpus,
        };
        if (configuration.HasTmm() && shape.Problem() is { } problem) throw r.Error("machine.realm", problem);
        var guest = new GuestSpec { Name = "guest0", Configuration = configuration, Programs = programs, PsciBoot = psciBoot, Realm = shape };
        return new MachineSpec { Platform = platform, Pes = pes, Guests = [guest] };
    }

    private static IReadOnlyList<IReadOnlyList<Op>> Programs(ConfigReader r, Akka.Configuration.Config config, int vcpus)
    {
        try
        {
            var many = WorkloadReader.ReadMany(config, "machine.programs");
            if (many.Count == 0) return Enumerable.Repeat(WorkloadReader.Read(config, "machine.program"), vcpus).ToArray();
            if (many.Count != vcpus) throw r.Error("machine.programs", $"{many.Count} programs for machine.vcpus = {vcpus}; give one per vCPU");
            return many;
        }
        catch (Exception e) when (e is ArgumentException or ConfigurationException)
        {
            throw r.Error(e.Message.StartsWith("machine.programs", StringComparison.Ordinal) ? "machine.programs" : "machine.program", e.Message);
        }
    }
}
