using Akka.Configuration;
using HoconConfig = Akka.Configuration.Config;
using VirtCca.Cores.Pe;
using VirtCca.Kvm.Host;
using VirtCca.Cores.Translation;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.Launcher.Config;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Reads <see cref="PlatformSettings"/> from the `platform` block of a HOCON file such as
/// HOCON/platforms/kunpeng-64.conf. A key that is absent keeps its default; a key the loader does
/// not know is an error naming it (with the closest known key), so a misspelt cost never silently
/// falls back to a default; errors are <see cref="ConfigPathException"/>s naming the key's full path.
/// </summary>
public static class PlatformLoader
{
    private static readonly string[] BackendKeys = ["wake", "notify", "blk-submit", "blk-complete", "net-tx", "net-rx", "signal"];

    private static readonly Dictionary<string, string[]> Known = new()
    {
        [""] = ["name", "arch", "configurations", "pes", "frequency-hz", "cntfrq-hz", "kvm", "el3", "tmm", "memory", "native", "tzasc", "smmu", "gic", "swiotlb", "cpu", "guest", "links", "virtio", "vhost", "vmm-io"],
        ["kvm"] = ["hvc-rt", "mmio-kernel-rt", "mmio-user-rt", "vipi-e2e", "vtimer-latency"],
        ["el3"] = ["fast-smc-rt", "ctx-swap", "ctx-swap-no-sel2"],
        ["tmm"] = ["cmd-base", "guest-trap", "exit-marshal", "entry-marshal", "ttt-level", "data-create-4k", "shadow-pte"],
        ["memory"] = ["copy-per-byte", "walk-ref-hit", "walk-ref-miss", "walk-ref-hit-per-mille", "stage1-levels", "stage2-levels",
            "stage1-upper-hit-per-mille", "stage2-table-hit-per-mille", "stage2-upper-hit-per-mille", "kvm-stage2-block", "tmm-stage2-block"],
        ["native"] = ["exception-entry", "syscall-rt", "device-access"],
        ["tzasc"] = ["regions", "granule", "check", "region-program", "action"],
        ["smmu"] = ["iotlb-miss", "strict-inval", "strict-invalidation"],
        ["gic"] = ["psgi", "lr-count", "veoi"],
        ["swiotlb"] = ["map-unmap", "slot", "copy-on-map"],
        ["cpu"] = ["idle-wake"],
        ["guest"] = ["irq-handler", "pte-write", "tlbi"],
        ["links"] = ["pe-tmm-ns", "pe-gic-ns", "pe-tzasc-ns", "pe-pe-ns", "device-smmu-ns", "smmu-tzasc-ns", "io-ns", "pcie-ns"],
        ["virtio"] = ["blk-submit", "blk-complete", "descriptor", "kick-prepare", "net-tx", "net-rx", "refill", "napi-budget"],
        ["vhost"] = BackendKeys,
        ["vmm-io"] = BackendKeys,
    };

    /// <summary>Loads a platform file (its `platform` block).</summary>
    public static PlatformSettings LoadFile(string path) => From(ConfigurationFactory.ParseString(File.ReadAllText(path)).GetConfig("platform")
        ?? throw new ConfigPathException("platform", $"{path} has no platform block"));

    public static PlatformSettings From(HoconConfig p)
    {
        CheckKeys(p);
        var d = new PlatformSettings();
        string Raw(string key) => p.GetValue(key) is { } v && !v.IsObject() && !v.IsArray() ? v.GetString()?.Trim() ?? "" : throw Bad(key, "expected a single value");
        long L(string key, long fallback) => !p.HasPath(key) ? fallback
            : Scalars.Long(Raw(key), long.MinValue, long.MaxValue, out var n) is { } problem ? throw Bad(key, problem) : n;
        var ws = new WorldSwitchCosts
        {
            KvmHvcRoundTrip = L("kvm.hvc-rt", d.WorldSwitch.KvmHvcRoundTrip),
            El3FastSmcRoundTrip = L("el3.fast-smc-rt", d.WorldSwitch.El3FastSmcRoundTrip),
            El3ContextSwap = L("el3.ctx-swap", d.WorldSwitch.El3ContextSwap),
            El3ContextSwapNoSel2 = L("el3.ctx-swap-no-sel2", d.WorldSwitch.El3ContextSwapNoSel2),
            TmmCommandBase = L("tmm.cmd-base", d.WorldSwitch.TmmCommandBase),
            GuestTrap = L("tmm.guest-trap", d.WorldSwitch.GuestTrap),
            TmmExitMarshal = L("tmm.exit-marshal", d.WorldSwitch.TmmExitMarshal),
            TmmEntryMarshal = L("tmm.entry-marshal", d.WorldSwitch.TmmEntryMarshal),
        };
        var walk = new WalkCosts
        {
            Stage1Levels = (int)L("memory.stage1-levels", d.Walk.Stage1Levels),
            Stage2Levels = (int)L("memory.stage2-levels", d.Walk.Stage2Levels),
            ReferenceHitCycles = L("memory.walk-ref-hit", d.Walk.ReferenceHitCycles),
            ReferenceMissCycles = L("memory.walk-ref-miss", d.Walk.ReferenceMissCycles),
            ReferenceHitPerMille = (int)L("memory.walk-ref-hit-per-mille", d.Walk.ReferenceHitPerMille),
            Stage1UpperHitPerMille = (int)L("memory.stage1-upper-hit-per-mille", d.Walk.Stage1UpperHitPerMille),
            Stage2TableHitPerMille = (int)L("memory.stage2-table-hit-per-mille", d.Walk.Stage2TableHitPerMille),
            Stage2UpperHitPerMille = (int)L("memory.stage2-upper-hit-per-mille", d.Walk.Stage2UpperHitPerMille),
        };
        Block B(string key, Block fallback)
        {
            if (!p.HasPath(key)) return fallback;
            try { return Blocks.Parse(Raw(key)); }
            catch (ArgumentException e) { throw Bad(key, e.Message); }
        }
        var native = new NativeCosts
        {
            ExceptionEntry = L("native.exception-entry", d.Native.ExceptionEntry),
            SyscallRoundTrip = L("native.syscall-rt", d.Native.SyscallRoundTrip),
            DeviceAccess = L("native.device-access", d.Native.DeviceAccess),
        };
        var links = new MachineLinks
        {
            PeTmm = SimTime.FromNanoseconds(L("links.pe-tmm-ns", d.Links.PeTmm.Picoseconds / 1000)),
            PeGic = SimTime.FromNanoseconds(L("links.pe-gic-ns", d.Links.PeGic.Picoseconds / 1000)),
            PeTzasc = SimTime.FromNanoseconds(L("links.pe-tzasc-ns", d.Links.PeTzasc.Picoseconds / 1000)),
            PePe = SimTime.FromNanoseconds(L("links.pe-pe-ns", d.Links.PePe.Picoseconds / 1000)),
            DeviceSmmu = SimTime.FromNanoseconds(L("links.device-smmu-ns", d.Links.DeviceSmmu.Picoseconds / 1000)),
            SmmuTzasc = SimTime.FromNanoseconds(L("links.smmu-tzasc-ns", d.Links.SmmuTzasc.Picoseconds / 1000)),
        };
        var s = d with
        {
            Name = p.HasPath("name") ? p.GetString("name") : d.Name,
            Arch = p.HasPath("arch") ? Raw("arch") : d.Arch,
            ConfigurationMask = p.HasPath("configurations") ? PlatformSettings.MaskOf(ConfigurationsOf(p)) : d.ConfigurationMask,
            KvmStage2Block = B("memory.kvm-stage2-block", d.KvmStage2Block),
            TmmStage2Block = B("memory.tmm-stage2-block", d.TmmStage2Block),
            Native = native,
            GuestPteWriteCycles = L("guest.pte-write", d.GuestPteWriteCycles),
            TlbiCycles = L("guest.tlbi", d.TlbiCycles),
            TmmShadowPteCycles = L("tmm.shadow-pte", d.TmmShadowPteCycles),
            Pes = (int)L("pes", d.Pes),
            FrequencyHz = L("frequency-hz", d.FrequencyHz),
            CntfrqHz = L("cntfrq-hz", d.CntfrqHz),
            WorldSwitch = ws,
            Kvm = new KvmCosts { MmioKernelRoundTrip = L("kvm.mmio-kernel-rt", d.Kvm.MmioKernelRoundTrip), MmioUserRoundTrip = L("kvm.mmio-user-rt", d.Kvm.MmioUserRoundTrip) },
            KvmVirtualIpiEndToEndCycles = L("kvm.vipi-e2e", d.KvmVirtualIpiEndToEndCycles),
            KvmVirtualTimerLatencyCycles = L("kvm.vtimer-latency", d.KvmVirtualTimerLatencyCycles),
            TmmTableLevelCycles = L("tmm.ttt-level", d.TmmTableLevelCycles),
            TmmDataCreate4kCycles = L("tmm.data-create-4k", d.TmmDataCreate4kCycles),
            Walk = walk,
            CopyPerByteCycles = !p.HasPath("memory.copy-per-byte") ? d.CopyPerByteCycles
                : Scalars.Double(Raw("memory.copy-per-byte"), 0, double.MaxValue, out var copy) is { } bad ? throw Bad("memory.copy-per-byte", bad) : copy,
            TzascRegions = (int)L("tzasc.regions", d.TzascRegions),
            TzascGranule = L("tzasc.granule", d.TzascGranule),
            TzascCheckCycles = L("tzasc.check", d.TzascCheckCycles),
            TzascRegionProgramCycles = L("tzasc.region-program", d.TzascRegionProgramCycles),
            SmmuIotlbMissCycles = L("smmu.iotlb-miss", d.SmmuIotlbMissCycles),
            SmmuStrictInvalidationCycles = L("smmu.strict-inval", d.SmmuStrictInvalidationCycles),
            TzascAction = p.HasPath("tzasc.action") ? TzascActionOf(Raw("tzasc.action")) : d.TzascAction,
            SmmuStrictInvalidation = !p.HasPath("smmu.strict-invalidation") ? d.SmmuStrictInvalidation
                : Scalars.Bool(Raw("smmu.strict-invalidation"), out var strict) is { } notBool ? throw Bad("smmu.strict-invalidation", notBool) : strict,
            GicPhysicalSgiCycles = L("gic.psgi", d.GicPhysicalSgiCycles),
            GicListRegisters = (int)L("gic.lr-count", d.GicListRegisters),
            GicVirtualEoiCycles = L("gic.veoi", d.GicVirtualEoiCycles),
            SwiotlbMapUnmapCycles = L("swiotlb.map-unmap", d.SwiotlbMapUnmapCycles),
            SwiotlbSlotBytes = (int)L("swiotlb.slot", d.SwiotlbSlotBytes),
            CpuIdleWakeCycles = L("cpu.idle-wake", d.CpuIdleWakeCycles),
            GuestIrqHandlerCycles = L("guest.irq-handler", d.GuestIrqHandlerCycles),
            Links = links,
        };
        s = s with { Io = IoCosts(p, s, L) };
        Validate(s);
        return s;
    }

    private static ConfigPathException Bad(string key, string problem) => new($"platform.{key}", problem);

    /// <summary>platform.configurations = [ native, baseline, ... ]: what the platform's hardware can run.</summary>
    private static IReadOnlyList<PlatformConfiguration> ConfigurationsOf(HoconConfig p)
    {
        var v = p.GetValue("configurations");
        if (!v.IsArray()) throw Bad("configurations", "expected a list, e.g. [native, baseline, virtcca-el3]");
        var list = new List<PlatformConfiguration>();
        foreach (var item in v.GetArray())
        {
            try { list.Add(PlatformConfigurations.Parse(item.GetString()?.Trim() ?? "")); }
            catch (ArgumentException e) { throw Bad("configurations", e.Message); }
        }
        return list.Count > 0 ? list.Distinct().ToArray() : throw Bad("configurations", "the list is empty");
    }

    private static Io.IoPlatform IoCosts(HoconConfig p, PlatformSettings s, Func<string, long, long> L)
    {
        var d = new Io.IoPlatform();
        var dc = d.Driver;
        var driver = dc with
        {
            BlkSubmitCycles = L("virtio.blk-submit", dc.BlkSubmitCycles),
            BlkCompleteCycles = L("virtio.blk-complete", dc.BlkCompleteCycles),
            DescriptorCycles = L("virtio.descriptor", dc.DescriptorCycles),
            KickPrepareCycles = L("virtio.kick-prepare", dc.KickPrepareCycles),
            NetTxCycles = L("virtio.net-tx", dc.NetTxCycles),
            NetRxCycles = L("virtio.net-rx", dc.NetRxCycles),
            RefillCycles = L("virtio.refill", dc.RefillCycles),
            NapiBudget = (int)L("virtio.napi-budget", dc.NapiBudget),
            InterruptCycles = s.GuestIrqHandlerCycles + s.GicVirtualEoiCycles, // the guest's handler and its EOI, as for any interrupt
        };
        Devices.Virtio.Backend.BackendCosts Backend(string section, Devices.Virtio.Backend.BackendCosts b) => b with
        {
            WakeCycles = L($"{section}.wake", b.WakeCycles),
            NotifyCycles = L($"{section}.notify", b.NotifyCycles),
            BlkSubmitCycles = L($"{section}.blk-submit", b.BlkSubmitCycles),
            BlkCompleteCycles = L($"{section}.blk-complete", b.BlkCompleteCycles),
            NetTxCycles = L($"{section}.net-tx", b.NetTxCycles),
            NetRxCycles = L($"{section}.net-rx", b.NetRxCycles),
            SignalCycles = L($"{section}.signal", b.SignalCycles),
            CopyPerByteCycles = s.CopyPerByteCycles,
        };
        bool everyDirection = !p.HasPath("swiotlb.copy-on-map") ? true
            : p.GetString("swiotlb.copy-on-map") is var mode && mode is "every-direction" or "to-device" ? mode == "every-direction"
            : throw Bad("swiotlb.copy-on-map", $"'{p.GetString("swiotlb.copy-on-map")}' is not one of: every-direction, to-device");
        return d with
        {
            Driver = driver,
            Vhost = Backend("vhost", d.Vhost),
            User = Backend("vmm-io", d.User),
            Swiotlb = d.Swiotlb with
            {
                SlotBytes = s.SwiotlbSlotBytes, MapUnmapCycles = s.SwiotlbMapUnmapCycles, CopyPerByteCycles = s.CopyPerByteCycles, CopyOnMapEveryDirection = everyDirection,
            },
            HostLink = SimTime.FromNanoseconds(L("links.io-ns", d.HostLink.Picoseconds / 1000)),
            PcieLink = SimTime.FromNanoseconds(L("links.pcie-ns", d.PcieLink.Picoseconds / 1000)),
        };
    }

    private static TzcAction TzascActionOf(string name)
    {
        try { return TzcActions.Parse(name); }
        catch (ArgumentException e) { throw Bad("tzasc.action", e.Message); }
    }

    private static void CheckKeys(HoconConfig p)
    {
        foreach (var (section, keys) in Known)
        {
            if (section.Length > 0 && !p.HasPath(section)) continue;
            if (section.Length > 0 && !p.GetValue(section).IsObject()) throw Bad(section, "must be an object { ... }");
            var obj = (section.Length == 0 ? p : p.GetConfig(section)).Root.GetObject();
            foreach (var key in obj.Items.Keys)
                if (!keys.Contains(key))
                    throw Bad(section.Length > 0 ? $"{section}.{key}" : key, DidYouMean.Unknown(key, keys, "setting", section.Length > 0 ? $"platform.{section}." : "platform."));
        }
    }

    private static void Validate(PlatformSettings s)
    {
        if (s.Pes is < 1 or > Devices.Gic.Affinity.MaxCpus) throw Bad("pes", $"{s.Pes} is outside 1..{Devices.Gic.Affinity.MaxCpus} (the GIC names CPUs by Aff2.Aff1.Aff0)");
        if (s.FrequencyHz <= 0) throw Bad("frequency-hz", $"{s.FrequencyHz} must be positive");
        if (s.CntfrqHz <= 0 || 1_000_000_000_000 % s.CntfrqHz != 0)
            throw Bad("cntfrq-hz", $"{s.CntfrqHz} must divide 10^12 so that counter ticks are whole picoseconds");
        if (s.Walk.Problem() is { } walk) throw Bad("memory." + walk[..walk.IndexOf(':')], walk[(walk.IndexOf(':') + 2)..]);
        if (s.Native.SyscallRoundTrip < s.Native.ExceptionEntry || s.Native.DeviceAccess < s.Native.ExceptionEntry)
            throw Bad("native.exception-entry", $"{s.Native.ExceptionEntry} cycles is more than a whole system call ({s.Native.SyscallRoundTrip}) or device access ({s.Native.DeviceAccess}) it is part of");
        if (s.SwiotlbSlotBytes is < 512 or > 65_536 || (s.SwiotlbSlotBytes & (s.SwiotlbSlotBytes - 1)) != 0) throw Bad("swiotlb.slot", $"{s.SwiotlbSlotBytes} is not a power of two in 512..65536");
        if (s.Io.Driver.NapiBudget < 1) throw Bad("virtio.napi-budget", $"{s.Io.Driver.NapiBudget} must be at least 1");
        if (s.Io.HostLink.Picoseconds <= 0 || s.Io.PcieLink.Picoseconds <= 0) throw Bad("links", "io-ns and pcie-ns must be positive");
    }
}
