using VirtCca.Cores.Host;
using VirtCca.Kvm.Vcpus;
using VirtCca.Kvm.Vgic;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Attacks.Scenarios;

/// <summary>
/// A run-loop hook that tampers with one entry of the vCPU: the first one KVM would make with nothing of
/// its own to deliver (no list register filled, no completion flag), so that a refusal loses nothing
/// and KVM simply enters honestly next time. The verdict is whatever the TMM says.
/// </summary>
internal sealed class EntryTamper(AttackContext c, string what, string component, Action<RecEntry> tamper) : IRunLoopAttack
{
    private bool _done;

    public bool TamperEntry(KvmVcpu v, RecEntry entry)
    {
        if (_done || entry.Flags != RecEntryFlags.TrapWfi || entry.GicLrs.Any(lr => lr != 0)) return false;
        tamper(entry);
        return true;
    }

    public IEnumerable<HostOp> Refused(KvmVcpu v, SmcResult status, string reason)
    {
        _done = true;
        c.Result = AttackResult.RefusedBy(component, AbiStatus.Describe(status.X0, c.Tmi, reason));
        yield return c.Report();
    }

    public IEnumerable<HostOp> Accepted(KvmVcpu v)
    {
        _done = true;
        c.Result = AttackResult.Succeeded($"{v}: REC_ENTER accepted {what}");
        yield return c.Report();
    }

    public IEnumerable<HostOp> AfterExit(IHostCpu cpu, KvmVcpu v) => [];
}

/// <summary>(g) KVM injects a list register with an invalid or a duplicate vINTID.</summary>
internal sealed class InjectBadLr : Scenario
{
    public override string Name => "inject-bad-lr";
    public override string Letter => "(g)";
    public override string Description => "KVM's next entry of a vCPU carries a list register with a reserved vINTID (1020), or two list registers with the same vINTID";
    public override IReadOnlyList<string> Variants => ["invalid-intid", "duplicate-intid"];
    public override IReadOnlyList<string> Fields => ["vcpu", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Spec.Vcpu < c.Victim.VcpuCount ? null : $"{c.Victim.Name} has no vCPU {c.Spec.Vcpu}");

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var v = c.Victim.Vcpus[c.Spec.Vcpu]!;
        var hook = new EntryTamper(c, $"list registers with {variant}", $"TMM ({(c.Tmi ? "TEC_ENTER" : "REC_ENTER")} list-register check)", e =>
        {
            if (variant == "duplicate-intid") e.GicLrs[0] = e.GicLrs[1] = VgicCpu.Encode(40);
            else e.GicLrs[0] = VgicCpu.Encode(40) & ~0xFFFF_FFFFUL | 1020; // 1020..8191 are reserved INTIDs
        });
        yield return new AttackStep.InRunLoop(v, hook, c.Spec.Watch);
        if (!c.RunLoopReported) c.Result = AttackResult.NotApplicable($"{v} was not entered during the watch");
    }
}

/// <summary>(k) KVM replays a stale run page: entry flags completing an MMIO read (or injecting an abort) with GPRs of its choosing.</summary>
internal sealed class ReplayRunPage : Scenario
{
    public override string Name => "replay-run-page";
    public override string Letter => "(k)";
    public override string Description => "KVM enters a vCPU with a stale run page: EMUL_MMIO (or INJECT_SEA) and GPRs of an earlier exit, to set the realm's registers";
    public override IReadOnlyList<string> Variants => ["emul-mmio", "inject-sea"];
    public override IReadOnlyList<string> Fields => ["vcpu", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Spec.Vcpu < c.Victim.VcpuCount ? null : $"{c.Victim.Name} has no vCPU {c.Spec.Vcpu}");

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        var v = c.Victim.Vcpus[c.Spec.Vcpu]!;
        var hook = new EntryTamper(c, $"a replayed {variant} entry", $"TMM ({(c.Tmi ? "TEC_ENTER" : "REC_ENTER")} entry-flag check)", e =>
        {
            e.Flags |= variant == "inject-sea" ? RecEntryFlags.InjectSea : RecEntryFlags.EmulMmio;
            for (int i = 0; i < 4; i++) e.Gprs[i] = 0xDEAD_0000UL + (ulong)i;
        });
        yield return new AttackStep.InRunLoop(v, hook, c.Spec.Watch);
        if (!c.RunLoopReported) c.Result = AttackResult.NotApplicable($"{v} was not entered during the watch");
    }
}

/// <summary>(l) KVM forges a RIPAS change: RMI_RTT_SET_RIPAS to EMPTY over private RAM the realm never asked to share.</summary>
internal sealed class ForgeRipas : Scenario
{
    public override string Name => "forge-ripas";
    public override string Letter => "(l)";
    public override string Description => "after an exit of a vCPU, KVM calls RMI_RTT_SET_RIPAS to make a page of its private RAM shared (EMPTY) without the realm's request";
    public override IReadOnlyList<string> Fields => ["vcpu", "ipa", "watch"];

    public override string? NotApplicable(AttackContext c) =>
        base.NotApplicable(c) ?? (c.Tmi ? "TMI has no RIPAS: TSI has no IPA_STATE_SET, so there is no request to forge and no call that changes it"
            : c.Spec.Vcpu < c.Victim.VcpuCount ? null : $"{c.Victim.Name} has no vCPU {c.Spec.Vcpu}");

    private sealed class Hook(AttackContext c) : IRunLoopAttack
    {
        private bool _done;
        public bool TamperEntry(KvmVcpu v, RecEntry entry) => false;
        public IEnumerable<HostOp> Refused(KvmVcpu v, SmcResult status, string reason) => [];
        public IEnumerable<HostOp> Accepted(KvmVcpu v) => [];

        public IEnumerable<HostOp> AfterExit(IHostCpu cpu, KvmVcpu v)
        {
            if (_done) yield break;
            _done = true;
            ulong ipa = c.Spec.Ipa;
            yield return HostOp.Smc(new SmcCall(RmiFid.RttSetRipas, c.Victim.Realm!.Rd, v.Rec, ipa, ipa + Granule.Size));
            c.Result = cpu.LastSmc.X0 == 0
                ? AttackResult.Succeeded($"RMI_RTT_SET_RIPAS over IPA 0x{ipa:X} of {v} without a request was accepted")
                : AttackResult.RefusedBy("TMM", AbiStatus.Describe(cpu.LastSmc.X0, false, cpu.LastSmcError));
            yield return c.Report();
        }
    }

    public override IEnumerable<AttackStep> Run(AttackContext c, string variant)
    {
        yield return new AttackStep.InRunLoop(c.Victim.Vcpus[c.Spec.Vcpu]!, new Hook(c), c.Spec.Watch);
        if (!c.RunLoopReported) c.Result = AttackResult.NotApplicable($"vCPU {c.Spec.Vcpu} did not exit during the watch");
    }
}
