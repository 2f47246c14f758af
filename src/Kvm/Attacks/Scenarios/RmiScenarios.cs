using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Attacks.Scenarios;

/// <summary>(h) KVM undelegates a granule the realm uses (its DATA page, RD, REC or an RTT).</summary>
internal sealed class UndelegateInUse : Scenario
{
    public override string Name => "undelegate-in-use";
    public override string Letter => "(h)";
    public override string Description => "KVM calls GRANULE_UNDELEGATE on a granule the realm uses: a DATA page, its RD, a REC or an RTT";
    public override IReadOnlyList<string> Variants => ["data", "rd", "rec", "rtt"];
    public override IReadOnlyList<string> Fields => ["ipa"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Tmi ? "TMI has no granule delegation: the TMM allocates a cVM's memory from its own pool and KVM never names it" : null);

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var realm = c.Victim.Realm!;
        ulong? granule = variant switch
        {
            "rd" => realm.Rd,
            "rec" => realm.Recs[0],
            "rtt" => c.Victim.Book.Rtts.Count > 0 ? c.Victim.Book.Rtts[0].Granule : null,
            _ => Target(c)?.Granule,
        };
        if (granule is not { } g) { c.Result = AttackResult.NotApplicable($"the realm has no {variant} granule"); yield break; }
        yield return new AttackStep.Smc(new(RmiFid.GranuleUndelegate, g));
        c.Result = c.Succeeded ? AttackResult.Succeeded($"GRANULE_UNDELEGATE of the realm's {variant} granule 0x{g:X} was accepted") : AttackResult.RefusedBy("TMM", c.Status());
    }
}

/// <summary>(i) KVM, on another CPU, enters a REC of the victim that is running.</summary>
internal sealed class EnterRunningRec : Scenario
{
    public override string Name => "enter-running-rec";
    public override string Letter => "(i)";
    public override string Description => "KVM on another CPU calls REC_ENTER (TEC_ENTER) for a REC that is running on its own CPU";
    public override IReadOnlyList<string> Fields => ["vcpu", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Spec.Vcpu < c.Victim.VcpuCount ? null : $"{c.Victim.Name} has no vCPU {c.Spec.Vcpu}");

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        ulong rec = c.Victim.Realm!.Recs[c.Spec.Vcpu], run = c.Scratch(2);
        var deadline = c.Now + c.Spec.Watch;
        while (!c.Probe.RecRunning(rec))
        {
            if (c.Now >= deadline) { c.Result = AttackResult.NotApplicable($"vCPU {c.Spec.Vcpu}'s REC was never running during the watch"); yield break; }
            yield return new AttackStep.Wait(SimTimeOf.Micro(1));
        }
        c.Probe.HostWrite(run, new byte[RecEntry.FieldsEnd]); // an honest, empty entry: only the REC's state can refuse it
        yield return new AttackStep.Smc(new(c.Tmi ? TmiFid.TecEnter : RmiFid.RecEnter, rec, run));
        c.Result = c.Succeeded ? AttackResult.Succeeded($"REC 0x{rec:X}, running on its CPU, was entered a second time from another CPU") : AttackResult.RefusedBy("TMM", c.Status());
    }
}

/// <summary>(i) KVM enters a REC of the victim carrying an entry meant for a vCPU of another realm (an MMIO read's result).</summary>
internal sealed class EnterForeignRec : Scenario
{
    public override string Name => "enter-foreign-rec";
    public override string Letter => "(i)";
    public override string Description => "KVM enters the victim realm's REC with a run page meant for a vCPU of another realm: EMUL_MMIO with a value for X0";
    public override IReadOnlyList<string> Fields => ["other", "vcpu", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (Other(c) is null ? "needs another realm on the machine (other = its name)" : null);

    private static Guests.KvmGuest? Other(AttackContext c) =>
        c.Spec.Other is { } name ? c.Guest(name) is { IsRealm: true } g && g != c.Victim ? g : null
        : c.Guests.FirstOrDefault(g => g.IsRealm && g != c.Victim);

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var other = Other(c)!;
        ulong rec = c.Victim.Realm!.Recs[Math.Min(c.Spec.Vcpu, c.Victim.VcpuCount - 1)], run = c.Scratch(3);
        // Between two of its entries, so that what refuses it is the entry itself, not the REC being busy.
        var deadline = c.Now + c.Spec.Watch;
        while (c.Probe.RecRunning(rec) && c.Now < deadline) yield return new AttackStep.Wait(SimTimeOf.Nano(100));
        var entry = new RecEntry { Flags = RecEntryFlags.EmulMmio | RecEntryFlags.TrapWfi };
        entry.Gprs[0] = 0x5EC2E7; // what an MMIO read of the other realm's vCPU would return
        var page = new byte[RecEntry.FieldsEnd];
        entry.Write(page);
        c.Probe.HostWrite(run, page);
        yield return new AttackStep.Smc(new(c.Tmi ? TmiFid.TecEnter : RmiFid.RecEnter, rec, run));
        c.Result = c.Succeeded
            ? AttackResult.Succeeded($"REC 0x{rec:X} of {c.Victim.Name} was entered with {other.Name}'s MMIO completion")
            : AttackResult.RefusedBy("TMM", $"{c.Status()} (the entry completed an MMIO read {other.Name}'s vCPU had asked for)");
    }
}

/// <summary>(j) KVM destroys the realm while its RECs live.</summary>
internal sealed class DestroyLiveRealm : Scenario
{
    public override string Name => "destroy-live-realm";
    public override string Letter => "(j)";
    public override string Description => "KVM calls REALM_DESTROY (CVM_DESTROY) while the realm's RECs live and run";

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        ulong rd = c.Victim.Realm!.Rd;
        yield return new AttackStep.Smc(new(c.Tmi ? TmiFid.CvmDestroy : RmiFid.RealmDestroy, rd));
        c.Result = c.Succeeded ? AttackResult.Succeeded($"the realm at RD 0x{rd:X} was destroyed with live RECs") : AttackResult.RefusedBy("TMM", c.Status());
    }
}

internal static class SimTimeOf
{
    public static Interconnect.SimTime Micro(long us) => Interconnect.SimTime.FromMicroseconds(us);
    public static Interconnect.SimTime Nano(long ns) => Interconnect.SimTime.FromNanoseconds(ns);
}
