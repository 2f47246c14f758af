using VirtCca.Devices.Tzasc;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Where everything lives in the machine's physical memory: normal-world DRAM from 0x8000_0000 with
/// each guest's RAM backing (2 MiB aligned) followed by a range for KVM's structures for that guest,
/// then, on the next GiB, the secure pool the firmware reserves for the TMM behind a secure-only TZASC
/// region.
/// </summary>
public sealed class MemoryLayout
{
    public const ulong DramBase = 0x8000_0000;
    private const ulong TwoMiB = 2UL << 20, OneGiB = 1UL << 30;

    public MemoryLayout(MachineSpec spec)
    {
        ulong cursor = DramBase;
        var guests = new List<GuestRange>();
        foreach (var g in spec.Guests)
        {
            ulong ram = AlignUp(g.Realm.Ram, TwoMiB);
            ulong metadata = AlignUp((g.Realm with { Vcpus = g.Vcpus }).MetadataGranules * Granule.Size, TwoMiB);
            ulong shared = AlignUp(g.Realm.SharedBytes, TwoMiB); // a realm's device memory, which it shares with the host
            guests.Add(new GuestRange(cursor, g.Realm.Ram, cursor + ram, metadata, cursor + ram + metadata, shared));
            cursor += ram + metadata + shared;
        }
        Guests = guests;
        if (spec.Host.Attacks.Count > 0)
        {
            AttackerScratch = cursor; // host pages of the attacker's own, after every guest's
            cursor += AttackerScratchPages * Granule.Size;
        }
        ulong tmmObjects = 0;
        if (spec.Abi == HostAbi.Tmi)
        {
            // TMI: names for what the TMM allocates itself, never handed to KVM (RmmConfig.TmmObjectBase).
            tmmObjects = AlignUp(cursor, TwoMiB);
            cursor = tmmObjects + (ulong)spec.SecurePoolGranules * Granule.Size;
        }
        DramSize = Math.Max(OneGiB, AlignUp(cursor - DramBase, OneGiB));
        Rmm = new RmmConfig
        {
            DramBase = DramBase, DramSize = DramSize,
            SecurePoolBase = AlignUp(DramBase + DramSize, OneGiB), SecurePoolGranules = spec.SecurePoolGranules,
            Abi = spec.Abi, TmmObjectBase = tmmObjects, TmmObjectGranules = spec.SecurePoolGranules,
        };
    }

    public IReadOnlyList<GuestRange> Guests { get; }
    /// <summary>Host pages the attacker makes up run pages and sources in (machines with attacks only).</summary>
    public ulong AttackerScratch { get; }
    public const int AttackerScratchPages = 8;
    public ulong DramSize { get; }
    /// <summary>The TMM's view of the platform: DRAM it may be handed, its secure pool.</summary>
    public RmmConfig Rmm { get; }
    public ulong SecurePoolTop => Rmm.SecurePoolBase + (ulong)Rmm.SecurePoolGranules * Granule.Size;

    /// <summary>The TZASC as boot firmware leaves it: region 1 secure-only over the TMM's pool, everything else open through the background region.</summary>
    public Tzc400 BootTzasc(PlatformSettings platform)
    {
        var tzc = new Tzc400(platform.TzascRegions, action: platform.TzascAction);
        if (!tzc.Program(1, new TzascRegion(true, Rmm.SecurePoolBase, SecurePoolTop, RegionAccess.SecureOnly), secure: true, out var error))
            throw new ArgumentException($"secure pool region [0x{Rmm.SecurePoolBase:X}, 0x{SecurePoolTop:X}): {error}");
        return tzc;
    }

    private static ulong AlignUp(ulong x, ulong a) => (x + a - 1) & ~(a - 1);
}

/// <summary>One guest's host memory: RAM backing [RamBase, RamBase + RamBytes), KVM's metadata range, and a realm's shared device memory.</summary>
public readonly record struct GuestRange(ulong RamBase, ulong RamBytes, ulong MetadataBase, ulong MetadataBytes, ulong SharedBase = 0, ulong SharedBytes = 0);
