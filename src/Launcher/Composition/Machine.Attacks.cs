using VirtCca.Interconnect;
using VirtCca.Kvm.Attacks;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A machine whose host attacks its guests (<c>machine.host.attacks</c>): one more component, the
/// attacker, linked to every PE (its SMCs are made by KVM on one of them, its run-loop attacks report
/// from the others), to the TZASC and to the SMMU as a host device is.
/// </summary>
public sealed partial class Machine
{
    /// <summary>The attacker's component id, or -1 when the host makes no attacks.</summary>
    public int AttackerId { get; }

    /// <summary>The last run's attacker (null without attacks): its outcomes, attempt by attempt.</summary>
    public HostAttacker? Attacker => Run.Attacker;

    /// <summary>The PE whose KVM makes the attacks' SMCs: machine.host.pe, else the last PE.</summary>
    public int AttackerPe => _spec.Host.Pe ?? PeIds.Length - 1;

    private int AddAttacker(Topology.Builder b, MachineLinks l)
    {
        if (_spec.Host.Attacks.Count == 0) return -1;
        if (AttackerPe < 0 || AttackerPe >= PeIds.Length)
            throw new ArgumentException($"machine.host.pe: PE {AttackerPe} does not exist: the machine has {PeIds.Length} PEs (0..{PeIds.Length - 1})");
        int id = b.Add("attacker", 0);
        foreach (int pe in PeIds) b.Link(id, pe, l.PePe);
        b.Link(id, Tzasc, l.PeTzasc).Link(id, Smmu, l.DeviceSmmu);
        return id;
    }

    private HostAttacker CreateAttacker(RunState run)
    {
        var probe = new MachineProbe(run.TmmModel, run.Memory, _layout, () => run.TzascActor, () => run.SmmuActor);
        var wiring = new AttackerWiring(AttackerId, PeIds[AttackerPe], Tzasc, Smmu, _layout.AttackerScratch, MemoryLayout.AttackerScratchPages);
        return new HostAttacker(_spec.Host.Attacks, run.Guests, probe, wiring);
    }
}
