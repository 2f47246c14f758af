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

    /// <summary>What a TLB miss walks: one stage under virtcca-el3's shadow mapping, two otherwise.</summary>
    public static TranslationRegime RegimeOf(PlatformConfiguration c) =>
        c == PlatformConfiguration.VirtccaEl3 ? TranslationRegime.OneStage : TranslationRegime.TwoStage;
}
