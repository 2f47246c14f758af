namespace VirtCca.Tmm;

/// <summary>The platform a TMM manages and the features it reports. The defaults are a usable machine.</summary>
public sealed record RmmConfig
{
    /// <summary>Delegable DRAM (the normal world's memory).</summary>
    public ulong DramBase { get; init; } = 0x8000_0000;
    public ulong DramSize { get; init; } = 1UL << 30;

    /// <summary>Firmware-reserved secure pool that backs delegated granules (outside DRAM; behind the TZASC).</summary>
    public ulong SecurePoolBase { get; init; } = 0x1_0000_0000;
    public int SecurePoolGranules { get; init; } = 65_536; // 256 MiB
    public int SecurePoolRegions { get; init; } = 1;

    /// <summary>Largest IPA width a Realm may ask for (FeatureRegister0.S2SZ).</summary>
    public int MaxS2sz { get; init; } = 48;
    public bool Sha256 { get; init; } = true;
    public bool Sha512 { get; init; } = true;
    /// <summary>Breakpoints / watchpoints, "minus one" encoded (ID_AA64DFR0).</summary>
    public int NumBps { get; init; } = 5;
    public int NumWps { get; init; } = 3;
    /// <summary>GICv3 list registers minus one (16 LRs).</summary>
    public int GicNumLrsMinusOne { get; init; } = 15;
    public int MaxRecsOrder { get; init; } = 10;
    public int VmidBits { get; init; } = 16;
    /// <summary>Seed of the platform's attestation keys (CPAK, RAK), so a run's keys are reproducible.</summary>
    public ulong AttestationSeed { get; init; } = 1;
    /// <summary>The ABI the TMM answers: RMI v1.0, or virtCCA's TMI (the other's function ids are SMC_UNKNOWN).</summary>
    public HostAbi Abi { get; init; } = HostAbi.Rmi;
    /// <summary>
    /// TMI: DRAM addresses the firmware reserves as names for what the TMM allocates itself (RDs, TECs,
    /// TTTs, cVM pages): the core keys granules by a DRAM address, so each pool granule TMI hands out is
    /// named by one of these, never by KVM. 0: the top <see cref="TmmObjectGranules"/> granules of DRAM.
    /// </summary>
    public ulong TmmObjectBase { get; init; }
    /// <summary>Names in the window (by default one per pool granule, so names never run out first).</summary>
    public int TmmObjectGranules { get; init; } = 65_536;
    public ulong TmmObjects => TmmObjectBase != 0 ? TmmObjectBase : DramBase + DramSize - (ulong)TmmObjectGranules * 4096;

    /// <summary>REC_AUX granules a REC needs (TF-RMM: 16).</summary>
    public int RecAuxCount { get; init; } = 16;

    /// <summary>RmiFeatureRegister0 (§2.1): no LPA2, SVE or PMU in this model.</summary>
    public ulong FeatureRegister0 =>
        (uint)MaxS2sz
        | ((ulong)(uint)NumBps << 14)
        | ((ulong)(uint)NumWps << 20)
        | ((Sha256 ? 1UL : 0UL) << 32)
        | ((Sha512 ? 1UL : 0UL) << 33)
        | ((ulong)(uint)GicNumLrsMinusOne << 34)
        | ((ulong)(uint)MaxRecsOrder << 38);
}
