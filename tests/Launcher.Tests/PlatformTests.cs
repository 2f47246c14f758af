using VirtCca.Launcher.Composition;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace VirtCca.Cores.Tests;

public sealed partial class PlatformTests
{
    private static string PlatformsDir
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (!Directory.Exists(Path.Combine(dir, "HOCON", "platforms"))) dir = Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException("HOCON/platforms");
            return Path.Combine(dir, "HOCON", "platforms");
        }
    }

    public static TheoryData<string> Profiles() => new(Directory.GetFiles(PlatformsDir, "*.conf").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_number_in_a_profile_names_its_source_or_says_assumed(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(PlatformsDir, file));
        var settings = lines.Where(l => Setting().IsMatch(l)).ToList();
        Assert.NotEmpty(settings);
        Assert.All(settings, l => Assert.Matches(Sourced(), l));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_profile_loads(string file)
    {
        var p = PlatformLoader.LoadFile(Path.Combine(PlatformsDir, file));
        Assert.True(p.Pes > 0);
        Assert.True(p.Links.PeTmm.Picoseconds * 2 <= VirtCca.Interconnect.SimTime.FromCycles(p.WorldSwitch.GuestTrap, p.FrequencyHz).Picoseconds);
    }

    [Fact]
    public void The_kunpeng_server_profile_has_the_issue_s_numbers()
    {
        var p = PlatformLoader.LoadFile(Path.Combine(PlatformsDir, "kunpeng-64.conf"));
        Assert.Equal((64, 2_600_000_000L, 100_000_000L), (p.Pes, p.FrequencyHz, p.CntfrqHz));
        Assert.Equal((8, 16), (p.TzascRegions, p.GicListRegisters));
        Assert.Equal(new VirtCca.SecureMonitor.WorldSwitchCosts(), p.WorldSwitch); // the file and the code's defaults agree
        Assert.Equal(new PlatformSettings() with { Name = p.Name, Arch = p.Arch, ConfigurationMask = p.ConfigurationMask }, p);
        // Armv8.2: no S-EL2, so no virtcca-sel2 (SOURCES.md §1).
        Assert.Equal(["native", "baseline", "virtcca-el3"], p.Configurations.Select(c => VirtCca.SecureMonitor.PlatformConfigurations.Name(c)));
    }

    [Fact]
    public void A_misspelt_or_impossible_setting_is_an_error_naming_it()
    {
        var ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => PlatformLoader.From(ConfigurationFactory.ParseString("el3 { ctx-swp = 5 }")));
        Assert.Contains("platform.el3.ctx-swp: unknown setting (did you mean platform.el3.ctx-swap?", ex.Message);
        ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => PlatformLoader.From(ConfigurationFactory.ParseString("cntfrq-hz = 3000000")));
        Assert.Contains("cntfrq-hz", ex.Message);
        Assert.Equal(1234, PlatformLoader.From(ConfigurationFactory.ParseString("kvm.hvc-rt = 1234")).WorldSwitch.KvmHvcRoundTrip);
    }

    [Fact]
    public void The_tzasc_action_and_smmu_strict_invalidation_are_read_and_checked()
    {
        var p = PlatformLoader.From(ConfigurationFactory.ParseString("tzasc.action = raz-wi+interrupt, smmu { strict-invalidation = on, strict-inval = 5200 }"));
        Assert.Equal((VirtCca.Devices.Tzasc.TzcAction.RazWiInterrupt, true), (p.TzascAction, p.SmmuStrictInvalidation));
        Assert.Equal(VirtCca.Interconnect.SimTime.FromMicroseconds(2), p.SmmuCosts.Invalidation);
        var d = PlatformLoader.From(ConfigurationFactory.ParseString(""));
        Assert.Equal((VirtCca.Devices.Tzasc.TzcAction.BusError, false), (d.TzascAction, d.SmmuStrictInvalidation));
        var ex = Assert.Throws<VirtCca.Launcher.Config.ConfigPathException>(() => PlatformLoader.From(ConfigurationFactory.ParseString("tzasc.action = ignore")));
        Assert.StartsWith("platform.tzasc.action: ", ex.Message);
    }

    [GeneratedRegex(@"^\s*[a-z0-9-]+\s*=\s*[0-9]")]
    private static partial Regex Setting();

    /// <summary>A comment with the word "assumed", a costs.md section, or a costs.md row key such as kvm.hvc_rt.</summary>
    [GeneratedRegex(@"#.*(assumed|costs\.md|SOURCES\.md|virtcca\.md|\b[a-z0-9]+\.[a-z0-9]+_[a-z0-9_]+\b|\b(gic|tzasc|swiotlb|cntfrq|mmu|tmm)\.[a-z_]+)")]
    private static partial Regex Sourced();
}
