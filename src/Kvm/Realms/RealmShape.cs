namespace VirtCca.Kvm.Realms;

/// <summary>
/// What KVM builds for one guest's memory and, for a realm, the realm itself. Guest RAM is IPA
/// [0, <see cref="RamBytes"/>). A realm's first <see cref="RamPages"/> pages are populated at creation —
/// the first <see cref="ImagePages"/> with the guest image (DATA_CREATE, measured), the rest unknown —
/// with one 256-byte RSI_HOST_CALL block per vCPU after the image; the rest of RAM is RIPAS RAM and
/// populated on demand, when the realm first touches it.
/// </summary>
public sealed record RealmShape
{
    public int Vcpus { get; init; } = 1;
    /// <summary>Pages populated when the realm is created.</summary>
    public int RamPages { get; init; } = 16;
    /// <summary>All of guest RAM in bytes; 0 means <see cref="RamPages"/> pages.</summary>
    public ulong RamBytes { get; init; }
    public int ImagePages { get; init; } = 4;
    /// <summary>IPA width (RmiRealmParams.s2sz); the unprotected half starts at 2^(width − 1).</summary>
    public byte IpaBits { get; init; } = 40;
    public ushort Vmid { get; init; } = 1;
    /// <summary>RmiHashAlgorithm: 0 SHA-256, 1 SHA-512.</summary>
    public byte HashAlgorithm { get; init; }
    /// <summary>Every REC is created runnable; otherwise only vCPU 0's, and the guest starts the others with PSCI CPU_ON.</summary>
    public bool SecondariesRunnable { get; init; } = true;
    /// <summary>REC_AUX granules per REC (must equal the TMM's RMI_REC_AUX_COUNT).</summary>
    public int RecAuxCount { get; init; } = 16;
    /// <summary>
    /// Shared (unprotected) memory for the realm's devices — virtqueues and the SWIOTLB bounce pool —
    /// at <see cref="SharedIpa"/> (in the unprotected half, 2 MiB aligned), <see cref="SharedBytes"/>
    /// long (whole 2 MiB blocks; 0: none). KVM maps it with RMI_RTT_MAP_UNPROTECTED at creation.
    /// </summary>
    public ulong SharedIpa { get; init; }
    public ulong SharedBytes { get; init; }
    public const ulong SharedBlock = 2UL << 20;

    public const ulong PageSize = 0x1000;

    /// <summary>Pages populated at creation when the config names none: 16, or the image and every vCPU's host-call block.</summary>
    public static int DefaultRamPages(int imagePages, int vcpus) => Math.Max(16, imagePages + (int)((vcpus * 256L + (long)PageSize - 1) / (long)PageSize));

    public ulong Ram => RamBytes != 0 ? RamBytes : (ulong)RamPages * PageSize;
    public ulong UnprotectedIpaBit => 1UL << (IpaBits - 1);
    public ulong HostCallIpa(int vcpu) => (ulong)ImagePages * PageSize + (ulong)vcpu * 256;

    /// <summary>Host granules KVM may need for the realm's own structures: RD, RTTs, RECs with their aux granules, run and parameter pages, the image's source pages.</summary>
    public ulong MetadataGranules =>
        8 + (ulong)Vcpus * (ulong)(RecAuxCount + 3) + (ulong)ImagePages
        + 2 * (Ram / (2UL << 20) + Ram / (1UL << 30) + 2) // level-3 and level-2 tables over RAM, twice over for a reset
        + 2 * (SharedBytes / (1UL << 30) + 2);             // level-1 and level-2 tables over the shared blocks

    /// <summary>A clear complaint about the first thing that cannot be built, or null.</summary>
    public string? Problem() =>
        Vcpus < 1 ? $"a guest needs at least one vCPU, not {Vcpus}"
        : IpaBits is < 32 or > 48 ? $"ipa-bits {IpaBits} is outside 32..48"
        : ImagePages < 1 ? $"image-pages {ImagePages} must be at least 1"
        : ImagePages > RamPages ? $"image-pages {ImagePages} is more than ram-pages {RamPages}"
        : HostCallIpa(Vcpus) > (ulong)RamPages * PageSize ? $"ram-pages {RamPages} leaves no room for {Vcpus} host-call blocks after {ImagePages} image pages"
        : Ram % PageSize != 0 ? $"ram {Ram} bytes is not a whole number of 4 KiB pages"
        : Ram < (ulong)RamPages * PageSize ? $"ram {Ram} bytes is less than the {RamPages} pages populated at creation"
        : Ram > UnprotectedIpaBit ? $"ram {Ram} bytes does not fit below the unprotected half of a {IpaBits}-bit IPA space"
        : SharedBytes % SharedBlock != 0 || SharedIpa % SharedBlock != 0 ? $"shared memory [0x{SharedIpa:X}, +0x{SharedBytes:X}) is not in whole 2 MiB blocks"
        : SharedBytes > 0 && (SharedIpa < UnprotectedIpaBit || SharedIpa + SharedBytes > 2 * UnprotectedIpaBit) ? $"shared memory at IPA 0x{SharedIpa:X} is not in the unprotected half of a {IpaBits}-bit IPA space"
        : null;
}
