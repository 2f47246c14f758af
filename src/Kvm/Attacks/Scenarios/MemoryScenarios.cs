using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Tzasc;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Attacks.Scenarios;

/// <summary>
/// How a normal-world CPU reaches a delegated granule. In this model delegation is a shadow mapping: the
/// ABI names a host granule, but its contents live in a secure pool granule. So there are two paths and
/// each has its own guard: the granule's own (host) address, refused by the TMM's granule table — the
/// model's stand-in for RME's granule protection check (<c>HostMemory</c>, a GranuleProtectionFault) —
/// and the pool address where the bytes really are, refused by the TZASC's secure-only region.
/// </summary>
internal static class DelegatedPaths
{
    public const string HostAddress = "host-address", PoolAddress = "pool-address";
    public const string GranuleCheck = "TMM granule protection (HostMemory)";

    /// <summary>A normal-world load (or store of <paramref name="data"/>) at the pool address, through the TZASC.</summary>
    public static AttackStep PoolAccess(AttackContext c, ulong pa, byte[]? data) => data == null
        ? new AttackStep.Device(c.Wiring.Tzasc, TzascActor.KindRead, new MemRead { Tag = 1, Address = pa, Size = 64, Secure = false })
        : new AttackStep.Device(c.Wiring.Tzasc, TzascActor.KindWrite, new MemWrite { Tag = 1, Address = pa, Data = ByteString.CopyFrom(data), Secure = false });

    /// <summary>The TZASC's verdict on the last pool access: refused (bus error, or read-as-zero/write-ignored under raz-wi), or null when it went through.</summary>
    public static AttackResult? TzascRefusal(AttackContext c, long refusedBefore, ulong pa) =>
        !c.Memory.Ok ? AttackResult.RefusedBy("TZASC", $"bus error at PA 0x{pa:X}: the secure pool is behind a secure-only region")
        : c.Probe.TzascRefusedAccesses > refusedBefore ? AttackResult.RefusedBy("TZASC", $"PA 0x{pa:X} read as zero / write ignored (ACTION raz-wi): the secure pool is behind a secure-only region")
        : null;

    /// <summary>Whether <paramref name="read"/> is the realm's own data at that IPA (a leak), i.e. what its loads return, and not all zero.</summary>
    public static bool Leaks(AttackContext c, ulong ipa, byte[] read) =>
        read.Any(b => b != 0) && read.AsSpan().SequenceEqual(c.Probe.ReadAsRealm(c.Victim, ipa, read.Length));

    public static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(0xA5 ^ i)).ToArray();
}

/// <summary>(b) KVM reads a delegated granule (a DATA granule of the realm) from the normal world.</summary>
internal sealed class ReadDelegated : Scenario
{
    public override string Name => "read-delegated";
    public override string Letter => "(b)";
    public override string Description => "KVM reads a realm's DATA granule from the normal world: by the granule's own address, or at the pool granule behind it";
    public override IReadOnlyList<string> Variants => [DelegatedPaths.HostAddress, DelegatedPaths.PoolAddress];
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        if (Target(c) is not { } page) { c.Result = AttackResult.NotApplicable("the realm has no DATA page"); yield break; }
        if (variant == DelegatedPaths.HostAddress)
        {
            var buf = new byte[64];
            c.Result = c.Probe.HostRead(page.Granule, buf) is { } refusal
                ? AttackResult.RefusedBy(DelegatedPaths.GranuleCheck, refusal)
                : DelegatedPaths.Leaks(c, page.Ipa, buf) ? AttackResult.Succeeded($"read the realm's data at IPA 0x{page.Ipa:X} through host PA 0x{page.Granule:X}")
                : AttackResult.Succeeded($"the normal world read the DATA granule 0x{page.Granule:X} (no realm data in it, but the read was not refused)");
            yield break;
        }
        long before = c.Probe.TzascRefusedAccesses;
        yield return DelegatedPaths.PoolAccess(c, page.Backing, null);
        c.Result = DelegatedPaths.TzascRefusal(c, before, page.Backing)
            ?? AttackResult.Succeeded(DelegatedPaths.Leaks(c, page.Ipa, c.Memory.Data.ToByteArray())
                ? $"read the realm's data at IPA 0x{page.Ipa:X} from pool PA 0x{page.Backing:X}" : $"a normal-world read of pool PA 0x{page.Backing:X} went through");
    }
}

/// <summary>(c) KVM writes a delegated granule (a DATA granule of the realm) from the normal world.</summary>
internal sealed class WriteDelegated : Scenario
{
    public override string Name => "write-delegated";
    public override string Letter => "(c)";
    public override string Description => "KVM writes a realm's DATA granule from the normal world: by the granule's own address, or at the pool granule behind it";
    public override IReadOnlyList<string> Variants => [DelegatedPaths.HostAddress, DelegatedPaths.PoolAddress];
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant) => Write(c, variant, Target(c));

    /// <summary>Writes 64 bytes of a pattern at the page's host or pool address; the verdict in the context.</summary>
    public static IEnumerable<AttackStep> Write(AttackContext c, string variant, (ulong Ipa, ulong Granule, ulong Backing)? target)
    {
        if (target is not { } page) { c.Result = AttackResult.NotApplicable("the realm has no DATA page"); yield break; }
        var data = DelegatedPaths.Pattern(64);
        if (variant == DelegatedPaths.HostAddress)
        {
            c.Result = c.Probe.HostWrite(page.Granule, data) is { } refusal
                ? AttackResult.RefusedBy(DelegatedPaths.GranuleCheck, refusal)
                : AttackResult.Succeeded($"the normal world wrote the DATA granule 0x{page.Granule:X} (IPA 0x{page.Ipa:X})");
            yield break;
        }
        long before = c.Probe.TzascRefusedAccesses;
        yield return DelegatedPaths.PoolAccess(c, page.Backing, data);
        c.Result = DelegatedPaths.TzascRefusal(c, before, page.Backing)
            ?? AttackResult.Succeeded($"a normal-world write to pool PA 0x{page.Backing:X} (the realm's IPA 0x{page.Ipa:X}) went through");
    }
}

/// <summary>(m) KVM changes a measured image page after DATA_CREATE: creates it again with other content, or writes it.</summary>
internal sealed class ModifyMeasuredPage : Scenario
{
    public override string Name => "modify-measured-page";
    public override string Letter => "(m)";
    public override string Description => "KVM changes a measured image page after DATA_CREATE: DATA_CREATE again with other content, or a store at its host or pool address";
    public override IReadOnlyList<string> Variants => ["data-create", DelegatedPaths.PoolAddress, DelegatedPaths.HostAddress];
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        if (variant != "data-create") { foreach (var s in WriteDelegated.Write(c, variant, Target(c))) yield return s; yield break; }
        ulong ipa = c.Spec.Ipa, rd = c.Victim.Realm!.Rd, src = c.Scratch(0), fresh = c.Scratch(1);
        var image = DelegatedPaths.Pattern((int)Granule.Size);
        if (c.Probe.HostWrite(src, image) is { } cannot) { c.Result = AttackResult.NotApplicable($"the attacker's source page: {cannot}"); yield break; }
        if (c.Tmi)
        {
            // TMI: the TMM allocates the page itself; DATA_CREATE(numa_set, rd, ipa, src, level).
            yield return new AttackStep.Smc(new(TmiFid.DataCreate, 0, rd, ipa, src, 3));
            c.Result = c.Succeeded ? AttackResult.Succeeded($"DATA_CREATE at IPA 0x{ipa:X} of an active cVM was accepted") : AttackResult.RefusedBy("TMM", c.Status());
            yield break;
        }
        yield return new AttackStep.Smc(new(RmiFid.GranuleDelegate, fresh));
        if (!c.Succeeded) { c.Result = AttackResult.NotApplicable($"GRANULE_DELEGATE of the attacker's granule: {c.Status()}"); yield break; }
        yield return new AttackStep.Smc(new(RmiFid.DataCreate, rd, fresh, ipa, src, 1));
        var verdict = c.Succeeded ? AttackResult.Succeeded($"DATA_CREATE of new content at IPA 0x{ipa:X} of an active realm was accepted") : AttackResult.RefusedBy("TMM", c.Status());
        if (!c.Succeeded) yield return new AttackStep.Smc(new(RmiFid.GranuleUndelegate, fresh)); // KVM takes its granule back
        c.Result = verdict;
    }
}

/// <summary>The baseline contrast: KVM reads a guest's RAM through its memslot, as it may for any normal VM.</summary>
internal sealed class ReadGuestMemory : Scenario
{
    public override string Name => "read-guest-memory";
    public override string Letter => "(baseline)";
    public override string Description => "KVM reads a guest's RAM through the host page of its memslot: allowed for a normal VM, refused for a realm";
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override string? NotApplicable(AttackContext c) =>
        c.Victim.IsRealm && c.Tmi ? "a cVM's private RAM has no host address under TMI (the TMM allocates it from its pool); the memslot page of that IPA is ordinary host memory" : null;

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        ulong ipa = c.Spec.Ipa, host = c.Victim.Memory.HostPageOf(ipa);
        var buf = new byte[64];
        if (c.Probe.HostRead(host, buf) is { } refusal) { c.Result = AttackResult.RefusedBy(DelegatedPaths.GranuleCheck, refusal); yield break; }
        c.Result = c.Victim.IsRealm
            ? AttackResult.Succeeded($"read the realm's RAM at IPA 0x{ipa:X} through host PA 0x{host:X}")
            : AttackResult.Allowed($"KVM read 64 bytes of the VM's RAM at IPA 0x{ipa:X} through its memslot (host PA 0x{host:X}): a normal VM's memory is the host's");
        yield break;
    }
}

/// <summary>(a) KVM maps a realm's DATA page (the pool granule behind it) into a normal VM's stage 2; the VM's own loads there.</summary>
internal sealed class MapIntoVm : Scenario
{
    public override string Name => "map-into-vm";
    public override string Letter => "(a)";
    public override string Description => "KVM maps a realm's DATA page (the pool granule behind it) into a normal VM's stage 2, and the VM loads from it";
    public override IReadOnlyList<string> Fields => ["spy", "ipa", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Guest(c.Spec.Spy) is { IsRealm: false } ? null : $"needs spy = a normal VM of this machine (given: {c.Spec.Spy ?? "none"})");

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var spy = c.Guest(c.Spec.Spy)!;
        var pages = c.Probe.DataPages(c.Victim);
        if (pages.Count == 0) { c.Result = AttackResult.NotApplicable("the realm has no DATA page"); yield break; }
        var page = pages[0];
        ulong spyIpa = c.Spec.Ipa;
        long Faults() => spy.Vcpus.Sum(v => v?.Vcpu.MemoryFaults ?? 0);
        long Retired() => spy.Vcpus.Sum(v => v?.Vcpu.OpsRetired ?? 0);
        long faults = Faults(), retired = Retired(), refused = c.Probe.TzascRefusedAccesses;
        spy.Stage2!.MapForeign(spyIpa, page.Backing);
        yield return new AttackStep.Wait(c.Spec.Watch);
        spy.Stage2.UnmapForeign(spyIpa);
        long took = Faults() - faults, bus = c.Probe.TzascRefusedAccesses - refused;
        c.Result = took > 0 && bus > 0
            ? AttackResult.RefusedBy("TZASC", $"{spy.Name}'s {took} load(s) at IPA 0x{spyIpa:X}, mapped to pool PA 0x{page.Backing:X} (the realm's IPA 0x{page.Ipa:X}), got bus errors; the VM took external aborts")
            : Retired() > retired ? AttackResult.Succeeded($"{spy.Name} ran with IPA 0x{spyIpa:X} mapped to the realm's page and no access was refused")
            : AttackResult.NotApplicable($"{spy.Name} ran nothing during the watch");
    }
}
