using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;

namespace VirtCca.Kvm.Attacks.Scenarios;

/// <summary>(d) The normal world programs the TZASC to open the secure pool: a region over it readable and writable by all, and ACTION raz-wi.</summary>
internal sealed class ProgramTzasc : Scenario
{
    public override string Name => "program-tzasc";
    public override string Letter => "(d)";
    public override string Description => "the normal world reprograms TZASC region 1 to open the secure pool to non-secure accesses, and its ACTION to raz-wi";

    // The pool is the platform's, not a realm's: the attempt applies whatever the guests are.
    public override string? NotApplicable(AttackContext c) => null;

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var (poolBase, poolTop) = c.Probe.SecurePool;
        long before = c.Probe.TzascRefusedProgramming;
        yield return new AttackStep.Device(c.Wiring.Tzasc, TzascActor.KindProgram, new TzascProgram
        {
            Tag = 2, Region = 1, Base = poolBase, Top = poolTop, Enabled = true,
            SecureRead = true, SecureWrite = true, NonsecureRead = true, NonsecureWrite = true, Secure = false,
        });
        if (c.Memory.Ok) { c.Result = AttackResult.Succeeded($"the normal world reprogrammed region 1 over [0x{poolBase:X}, 0x{poolTop:X})"); yield break; }
        yield return new AttackStep.Device(c.Wiring.Tzasc, TzascActor.KindSetAction, new TzascSetAction { Tag = 3, Action = (uint)TzcAction.RazWi, Secure = false });
        if (c.Memory.Ok) { c.Result = AttackResult.Succeeded("the normal world changed the TZASC's ACTION register"); yield break; }
        long refusedProgramming = c.Probe.TzascRefusedProgramming - before;
        // The pool is still closed: a normal-world read of its first granule gets the bus error.
        yield return DelegatedPaths.PoolAccess(c, poolBase, null);
        c.Result = c.Memory.Ok
            ? AttackResult.Succeeded($"after the attempt a normal-world read of the pool at 0x{poolBase:X} went through")
            : AttackResult.RefusedBy("TZASC", $"{refusedProgramming} programming writes from the normal world refused (region 1, ACTION); a normal-world read of the pool still gets a bus error");
    }
}

/// <summary>(e) A device DMAs into protected realm memory from a non-secure stream (bypass), at the pool granule behind a DATA page.</summary>
internal sealed class DmaIntoRealm : Scenario
{
    public const uint Stream = 0x4A;
    public override string Name => "dma-into-realm";
    public override string Letter => "(e)";
    public override string Description => "a host device DMAs from a non-secure stream (STE bypass) into the pool granule behind a realm's DATA page";
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        if (Target(c) is not { } page) { c.Result = AttackResult.NotApplicable("the realm has no DATA page"); yield break; }
        yield return new AttackStep.Device(c.Wiring.Smmu, SmmuActor.KindCommand, new SmmuCommand { Tag = 4, Op = SmmuOp.ConfigureSte, Stream = Stream, Mode = SteMode.Bypass, Secure = false });
        long before = c.Probe.TzascRefusedAccesses;
        yield return Dma(c, Stream, secureStream: false, page.Backing);
        c.Result = DelegatedPaths.TzascRefusal(c, before, page.Backing) is { } refused
            ? AttackResult.RefusedBy("TZASC", $"DMA write from non-secure stream 0x{Stream:X}: {refused.How}")
            : AttackResult.Succeeded($"a DMA from non-secure stream 0x{Stream:X} wrote pool PA 0x{page.Backing:X} (the realm's IPA 0x{page.Ipa:X})");
    }

    public static AttackStep Dma(AttackContext c, uint stream, bool secureStream, ulong iova) =>
        new AttackStep.Device(c.Wiring.Smmu, SmmuActor.KindDma, new DmaRequest
        {
            Tag = 5, Stream = stream, SecureStream = secureStream, Iova = iova, Write = true, Data = ByteString.CopyFrom(DelegatedPaths.Pattern(64)),
        });
}

/// <summary>(f) The normal world re-points an SMMU stream at the secure pool: a secure STE of its own, or its non-secure STE's stage 2.</summary>
internal sealed class RepointSte : Scenario
{
    public const uint Stream = 0x4B;
    public override string Name => "repoint-ste";
    public override string Letter => "(f)";
    public override string Description => "the normal world installs a secure STE (bypass) to reach the pool with secure transactions, then points its non-secure STE's stage 2 at the pool";
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        if (Target(c) is not { } page) { c.Result = AttackResult.NotApplicable("the realm has no DATA page"); yield break; }
        long refusedConfig = c.Probe.SmmuRefusedSecureConfiguration;
        yield return new AttackStep.Device(c.Wiring.Smmu, SmmuActor.KindCommand,
            new SmmuCommand { Tag = 6, Op = SmmuOp.ConfigureSte, Stream = Stream, SecureStream = true, Mode = SteMode.Bypass, Secure = false });
        if (c.Memory.Ok) { c.Result = AttackResult.Succeeded($"the normal world installed a secure STE for stream 0x{Stream:X}"); yield break; }
        int faults = c.Probe.SmmuFaults;
        yield return DmaIntoRealm.Dma(c, Stream, secureStream: true, page.Backing);
        if (c.Memory.Ok) { c.Result = AttackResult.Succeeded($"a secure-stream DMA on 0x{Stream:X} wrote pool PA 0x{page.Backing:X}"); yield break; }
        // Its own non-secure STE may point anywhere, but what it emits stays non-secure: the TZASC decides.
        const ulong iova = 0x10_0000;
        yield return new AttackStep.Device(c.Wiring.Smmu, SmmuActor.KindCommand, new SmmuCommand { Tag = 7, Op = SmmuOp.ConfigureSte, Stream = Stream, Mode = SteMode.Stage2, Secure = false });
        yield return new AttackStep.Device(c.Wiring.Smmu, SmmuActor.KindCommand, new SmmuCommand { Tag = 8, Op = SmmuOp.Map, Stream = Stream, Iova = iova, Pa = page.Backing, Secure = false });
        long bus = c.Probe.TzascRefusedAccesses;
        yield return DmaIntoRealm.Dma(c, Stream, secureStream: false, iova);
        c.Result = DelegatedPaths.TzascRefusal(c, bus, page.Backing) is { } refused
            ? AttackResult.RefusedBy("SMMU", $"the secure STE from the normal world was refused ({c.Probe.SmmuRefusedSecureConfiguration - refusedConfig} refusal), "
                + $"the secure-stream DMA faulted ({c.Probe.SmmuFaults - faults} event: no stream table entry); the non-secure STE re-pointed at the pool emits non-secure writes, which the TZASC refused ({refused.How})")
            : AttackResult.Succeeded($"a non-secure STE re-pointed at pool PA 0x{page.Backing:X} wrote it");
    }
}
