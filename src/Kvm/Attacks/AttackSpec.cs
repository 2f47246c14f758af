using VirtCca.Interconnect;

namespace VirtCca.Kvm.Attacks;

/// <summary>
/// One attack a malicious host makes while its guests run, as HOCON's <c>machine.attacks</c> gives it:
/// which (<see cref="AttackCatalog"/>), from when, against which guest, and the attack's own choices.
/// Attacks run one after another in list order, each at <see cref="At"/> or when the one before it ends.
/// </summary>
public sealed record AttackSpec(string Attack)
{
    /// <summary>Not before this time (a realm victim is attacked once it is active).</summary>
    public SimTime At { get; init; }
    /// <summary>The guest attacked; null: the first realm, else the first guest.</summary>
    public string? Victim { get; init; }
    /// <summary>Which way the attack goes (e.g. host-address / pool-address); "" for the attack's default.</summary>
    public string Variant { get; init; } = "";
    /// <summary>The normal VM whose stage 2 KVM abuses (map-into-vm).</summary>
    public string? Spy { get; init; }
    /// <summary>A second realm (enter-foreign-rec): the vCPU whose entry is replayed belongs to it.</summary>
    public string? Other { get; init; }
    /// <summary>The victim's IPA the attack aims at (a page of its RAM; map-into-vm: the spy's IPA).</summary>
    public ulong Ipa { get; init; }
    /// <summary>The victim's vCPU (run-loop attacks, enter-running-rec).</summary>
    public int Vcpu { get; init; }
    /// <summary>How long the attack waits for its effect (the spy's accesses, the vCPU's next entry).</summary>
    public SimTime Watch { get; init; } = SimTime.FromMicroseconds(200);
}
