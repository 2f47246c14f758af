using VirtCca.Cores.Pe;
using VirtCca.Kvm.Host;
using VirtCca.Cores.Translation;
using VirtCca.Devices.Gic;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Interconnect;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>Latencies of the links inside one machine (all assumed; HOCON `platform.links`, in nanoseconds).</summary>
public sealed record MachineLinks
{
    /// <summary>PE ⇄ TMM; at most half the shortest leg before a TMM step (the guest trap, 530 cycles ≈ 204 ns).</summary>
    public SimTime PeTmm { get; init; } = SimTime.FromNanoseconds(100);
    public SimTime PeGic { get; init; } = SimTime.FromNanoseconds(100);
    /// <summary>PE ⇄ TZASC: a DRAM access costs two of these plus the filter.</summary>
    public SimTime PeTzasc { get; init; } = SimTime.FromNanoseconds(50);
    /// <summary>PE ⇄ PE: KVM's write of another vCPU's vGIC state becoming visible there.</summary>
    public SimTime PePe { get; init; } = SimTime.FromNanoseconds(100);
    /// <summary>A device ⇄ the SMMU (DMA requests and their answers).</summary>
    public SimTime DeviceSmmu { get; init; } = SimTime.FromNanoseconds(100);
    /// <summary>SMMU ⇄ TZASC: the translated transaction to the memory controller.</summary>
    public SimTime SmmuTzasc { get; init; } = SimTime.FromNanoseconds(50);
}

/// <summary>
/// A server platform as HOCON `platform { ... }` describes it (see HOCON/platforms/kunpeng-64.conf):
/// every cost in cycles at the PE clock, each with its source in the file. Defaults are that file's values.
/// </summary>
public sealed record PlatformSettings
{
    public string Name { get; init; } = "kunpeng-64";
    /// <summary>The architecture its cores implement, for reports and errors (e.g. Armv8.2-A: no S-EL2).</summary>
    public string Arch { get; init; } = "unspecified";
    /// <summary>The configurations its hardware can run (platform.configurations), one bit per <see cref="PlatformConfiguration"/> (a value, so settings compare equal): virtcca-sel2 needs S-EL2 (FEAT_SEL2, Armv8.4).</summary>
    public int ConfigurationMask { get; init; } = 0b1111;

    /// <summary>The configurations of <see cref="ConfigurationMask"/>, in report order.</summary>
    public IReadOnlyList<PlatformConfiguration> Configurations =>
        PlatformConfigurations.Names.Select(PlatformConfigurations.Parse).Where(c => (ConfigurationMask >> (int)c & 1) == 1).ToArray();

    public static int MaskOf(IEnumerable<PlatformConfiguration> cs) => cs.Aggregate(0, (m, c) => m | 1 << (int)c);
    public int Pes { get; init; } = 64;
    public long FrequencyHz { get; init; } = 2_600_000_000;
    public long CntfrqHz { get; init; } = 100_000_000;

    public WorldSwitchCosts WorldSwitch { get; init; } = new();
    public KvmCosts Kvm { get; init; } = new();
    /// <summary>Calibration targets (costs.md §8.1), not charged anywhere: what the model's IPI and timer paths should come to.</summary>
    public long KvmVirtualIpiEndToEndCycles { get; init; } = 4_400;
    public long KvmVirtualTimerLatencyCycles { get; init; } = 4_740;

    public long TmmTableLevelCycles { get; init; } = 50;
    public long TmmDataCreate4kCycles { get; init; } = 1_365;

    public WalkCosts Walk { get; init; } = new();
    /// <summary>The stage-2 block KVM maps a VM's RAM with (THP-backed memslots: 2 MiB).</summary>
    public Block KvmStage2Block { get; init; } = Block.Block2M;
    /// <summary>The stage-2 block the TMM maps a realm's RAM with (virtCCA's pool hands out 2 MiB blocks).</summary>
    public Block TmmStage2Block { get; init; } = Block.Block2M;
    /// <summary>Bare metal: what the host kernel's own traps cost (the `native` configuration).</summary>
    public NativeCosts Native { get; init; } = new();
    public long GuestPteWriteCycles { get; init; } = 30;
    public long TlbiCycles { get; init; } = 500;
    public long TmmShadowPteCycles { get; init; } = 150;
    public double CopyPerByteCycles { get; init; } = 0.26;

    public int TzascRegions { get; init; } = 8;
    public long TzascGranule { get; init; } = 4096;
    public long TzascCheckCycles { get; init; }
    public long TzascRegionProgramCycles { get; init; } = 2_000;
    /// <summary>What a refused memory access gets (TZC-400 ACTION): a bus error, as TF-A's Arm platforms set it.</summary>
    public TzcAction TzascAction { get; init; } = TzcAction.BusError;

    public long SmmuIotlbMissCycles { get; init; } = 1_040;
    public long SmmuStrictInvalidationCycles { get; init; } = 2_600;
    /// <summary>Every SMMU unmap invalidates its IOTLB entry at once (paying the cycles above), instead of leaving it until a later TLBI.</summary>
    public bool SmmuStrictInvalidation { get; init; }

    public long GicPhysicalSgiCycles { get; init; } = 500;
    public int GicListRegisters { get; init; } = 16;
    public long GicVirtualEoiCycles { get; init; } = 70;

    public long SwiotlbMapUnmapCycles { get; init; } = 300;
    public int SwiotlbSlotBytes { get; init; } = 2048;
    public long CpuIdleWakeCycles { get; init; } = 26_000;

    /// <summary>The guest's interrupt handler body, besides its virtual EOI.</summary>
    public long GuestIrqHandlerCycles { get; init; } = 200;

    public MachineLinks Links { get; init; } = new();

    /// <summary>The I/O software's costs (virtio drivers, vhost and VMM backends, SWIOTLB) and the I/O links.</summary>
    public Io.IoPlatform Io { get; init; } = new();

    public GicCosts GicCosts => new(FrequencyHz, GicPhysicalSgiCycles, GicPhysicalSgiCycles);
    public TzascCosts TzascCosts => new(FrequencyHz, TzascCheckCycles, TzascRegionProgramCycles);
    public SmmuCosts SmmuCosts => new(FrequencyHz, SmmuIotlbMissCycles, SmmuStrictInvalidationCycles);

    /// <summary>What a TLB miss walks: bare metal's own tables, one stage under virtcca-el3's shadow mapping, two otherwise.</summary>
    public static TranslationRegime RegimeOf(PlatformConfiguration c) => c switch
    {
        PlatformConfiguration.Native => TranslationRegime.Native,
        PlatformConfiguration.VirtccaEl3 => TranslationRegime.OneStage,
        _ => TranslationRegime.TwoStage,
    };

    /// <summary>The leaf size under a configuration's stage 1: KVM's for a VM, the TMM's for an S-EL2 realm (nothing for one stage).</summary>
    public Block Stage2BlockOf(PlatformConfiguration c) => c == PlatformConfiguration.VirtccaSel2 ? TmmStage2Block : KvmStage2Block;

    /// <summary>A guest's page-table update costs: the realm's trap into the TMM in EL3 is the RSI path (guest trap + command).</summary>
    public PageTableCosts PageTables => new()
    {
        GuestPteWriteCycles = GuestPteWriteCycles,
        TlbiCycles = TlbiCycles,
        ShadowTrapCycles = WorldSwitch.GuestTrap + WorldSwitch.TmmCommandBase,
        ShadowEntryCycles = TmmShadowPteCycles,
    };

    /// <summary>Whether the hardware can run <paramref name="c"/>, and if not, why (one sentence).</summary>
    public string? Refuses(PlatformConfiguration c)
    {
        if (Configurations.Contains(c)) return null;
        string why = c == PlatformConfiguration.VirtccaSel2 ? $"{c.Name()} needs S-EL2 (FEAT_SEL2, Armv8.4), which platform {Name} ({Arch}) does not have"
            : $"platform {Name} ({Arch}) does not list {c.Name()}";
        return $"{why}; it supports {string.Join(", ", Configurations.Select(x => x.Name()))} (platform.configurations)";
    }
}

/// <summary>
/// Bare metal (HOCON `platform.native`): the program's traps are the host kernel's exceptions — a system
/// call, an interrupt, the idle loop's WFI — and a device register access reaches the device itself.
/// </summary>
public sealed record NativeCosts
{
    /// <summary>Exception entry into the host kernel (the part of a trap before its handler).</summary>
    public long ExceptionEntry { get; init; } = 130;
    /// <summary>A null system call, entry to return.</summary>
    public long SyscallRoundTrip { get; init; } = 260;
    /// <summary>A driver's access to a device register (and the kernel work around it).</summary>
    public long DeviceAccess { get; init; } = 520;
}
