namespace VirtCca.Kvm.Realms;

/// <summary>
/// What KVM builds for one realm. Protected RAM is IPA [0, <see cref="RamPages"/> × 4 KiB): the first
/// <see cref="ImagePages"/> hold the guest image (DATA_CREATE, measured), the rest are created
/// unknown; one 256-byte RSI_HOST_CALL block per vCPU follows the image. Host granules come from
/// <see cref="HostMemoryBase"/> upwards, in the order KVM asks for them.
/// </summary>
public sealed record RealmShape
{
    public int Vcpus { get; init; } = 1;
    public int RamPages { get; init; } = 16;
    public int ImagePages { get; init; } = 4;
    /// <summary>IPA width (RmiRealmParams.s2sz); the unprotected half starts at 2^(width − 1).</summary>
    public byte IpaBits { get; init; } = 40;
    public ushort Vmid { get; init; } = 1;
    /// <summary>RmiHashAlgorithm: 0 SHA-256, 1 SHA-512.</summary>
    public byte HashAlgorithm { get; init; }
    public ulong HostMemoryBase { get; init; } = 0x8000_0000;
    /// <summary>Every REC is created runnable; otherwise only vCPU 0's, and the guest starts the others with PSCI CPU_ON.</summary>
    public bool SecondariesRunnable { get; init; } = true;
    /// <summary>REC_AUX granules per REC (must equal the TMM's RMI_REC_AUX_COUNT).</summary>
    public int RecAuxCount { get; init; } = 16;

    public ulong UnprotectedIpaBit => 1UL << (IpaBits - 1);
    public ulong HostCallIpa(int vcpu) => (ulong)ImagePages * 0x1000 + (ulong)vcpu * 256;

    /// <summary>A clear complaint about the first thing that cannot be built, or null.</summary>
    public string? Problem() =>
        Vcpus < 1 ? $"a realm needs at least one vCPU, not {Vcpus}"
        : IpaBits is < 32 or > 48 ? $"ipa-bits {IpaBits} is outside 32..48"
        : ImagePages < 1 ? $"image-pages {ImagePages} must be at least 1"
        : HostCallIpa(Vcpus) > (ulong)RamPages * 0x1000 ? $"ram-pages {RamPages} leaves no room for {Vcpus} host-call blocks after {ImagePages} image pages"
        : RamPages > 512 ? $"ram-pages {RamPages} is above 512 (one level-3 table)"
        : null;
}
