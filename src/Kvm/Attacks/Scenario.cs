namespace VirtCca.Kvm.Attacks;

/// <summary>
/// One kind of attack: its name in HOCON, the ways it can go (the first is the default), what it needs
/// to be applicable, and its steps. A scenario leaves its verdict in <see cref="AttackContext.Result"/>;
/// the attacker then compares the victim's state before and after.
/// </summary>
public abstract class Scenario
{
    public abstract string Name { get; }
    /// <summary>The letter(s) for it, e.g. "(b)".</summary>
    public abstract string Letter { get; }
    public abstract string Description { get; }
    public virtual IReadOnlyList<string> Variants => [""];
    /// <summary>Fields of <c>machine.host.attacks[i]</c> it takes besides attack, at, victim and variant.</summary>
    public virtual IReadOnlyList<string> Fields => [];

    /// <summary>Why it has nothing to act on in this machine, or null. The default: a realm victim.</summary>
    public virtual string? NotApplicable(AttackContext c) =>
        c.Victim.IsRealm ? null : $"{c.Victim.Name} is a normal VM: KVM owns its memory and registers, there is nothing to refuse";

    public abstract IEnumerable<AttackStep> Run(AttackContext c, string variant);

    /// <summary>The victim's protected page the attack aims at: the one at the spec's IPA (default the first).</summary>
    protected static (ulong Ipa, ulong Granule, ulong Backing)? Target(AttackContext c)
    {
        var pages = c.Probe.DataPages(c.Victim);
        return pages.Count == 0 ? null : pages.FirstOrDefault(p => p.Ipa == c.Spec.Ipa, pages[0]);
    }
}
