namespace VirtCca.Kvm.Attacks;

/// <summary>How one attempt ended.</summary>
public enum Verdict
{
    /// <summary>The hardware or the TMM refused it and the realm's state is unchanged.</summary>
    Refused,
    /// <summary>It has nothing to act on in this machine (no realm, no second realm, no spy VM; the ABI has no such call).</summary>
    NotApplicable,
    /// <summary>It worked, as it should: the victim is a normal VM, whose memory and registers KVM owns.</summary>
    Allowed,
    /// <summary>A finding: it worked against a realm, or the realm's state changed.</summary>
    Succeeded,
}

/// <summary>What an attack's steps concluded: the verdict, the component that decided it and how.</summary>
public sealed record AttackResult(Verdict Verdict, string Component, string How)
{
    public static AttackResult RefusedBy(string component, string how) => new(Verdict.Refused, component, how);
    public static AttackResult Succeeded(string how) => new(Verdict.Succeeded, "", how);
    public static AttackResult Allowed(string how) => new(Verdict.Allowed, "", how);
    public static AttackResult NotApplicable(string why) => new(Verdict.NotApplicable, "", why);
}

/// <summary>
/// One attempt as the run reports it: which attack, against which guest, when it started and ended,
/// the verdict with the refusing component, and the victim realm's state before and after.
/// </summary>
public sealed record AttackOutcome(int Index, string Attack, string Variant, string Victim, long StartPicoseconds, long EndPicoseconds,
    AttackResult Result, RealmSnapshot? Before, RealmSnapshot? After)
{
    public Verdict Verdict => Result.Verdict;
    public string Name => Variant.Length > 0 ? $"{Attack}/{Variant}" : Attack;

    /// <summary>One line: "read-delegated/pool-address on victim: refused by TZASC: bus error ...".</summary>
    public override string ToString() => Verdict switch
    {
        Verdict.Refused => $"{Name} on {Victim}: refused by {Result.Component}: {Result.How}",
        Verdict.NotApplicable => $"{Name} on {Victim}: not applicable: {Result.How}",
        Verdict.Allowed => $"{Name} on {Victim}: allowed: {Result.How}",
        _ => $"{Name} on {Victim}: SUCCEEDED: {Result.How}",
    };
}
