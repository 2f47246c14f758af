using VirtCca.Launcher.Composition;
using VirtCca.Cores.Pe;
using VirtCca.Cores.Platform;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Kvm.Realms;
using VirtCca.SecureMonitor;
using VirtCca.Tmm.Actor;

namespace VirtCca.Launcher.Composition;

/// <summary>One simulated machine as a `virtcca run` model: a plain Machine for the baseline, a realm machine (KVM creating the realm through RMI, the real TMM) otherwise.</summary>
public sealed class MachineModel(Machine machine) : ISimulationModel, IReportsMetrics
{
    public Machine Machine { get; } = machine;
    public string Name => Machine.Model.Name;
    public Topology Topology => Machine.Model.Topology;
    public Component CreateComponent(int id) => Machine.Model.CreateComponent(id);

    /// <summary>Sums over the PEs and vCPUs this process ran, then the TMM's and KVM's counters.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Metrics()
    {
        var pes = Machine.Pes.Where(p => p != null).ToArray();
        var vcpus = Machine.Vcpus.Where(v => v != null).ToArray();
        var m = new List<KeyValuePair<string, double>>();
        void Add(string name, double value) => m.Add(new(name, value));
        Add("pes", pes.Length);
        Add("vcpus", vcpus.Length);
        foreach (var c in Enum.GetValues<TimeCategory>()) Add($"time.{c.ToString().ToLowerInvariant()}_ps", pes.Sum(p => (double)p.Ledger[c]));
        Add("exits.total", pes.Sum(p => (double)p.Stats.ExitsTotal));
        foreach (var r in Enum.GetValues<ExitReason>()) Add($"exits.{r.ToString().ToLowerInvariant()}", pes.Sum(p => (double)p.Stats.Exits[(int)r]));
        Add("entries", pes.Sum(p => (double)p.Stats.Entries));
        Add("rsi_calls", pes.Sum(p => (double)p.Stats.RsiCalls));
        Add("host_smcs", pes.Sum(p => (double)p.Stats.HostSmcs));
        Add("ipis_sent", pes.Sum(p => (double)p.Stats.IpisSent));
        Add("timer_fires", pes.Sum(p => (double)p.Stats.TimerFires));
        Add("ops_retired", vcpus.Sum(v => (double)v.OpsRetired));
        Add("interrupts_taken", vcpus.Sum(v => (double)v.InterruptsTaken));
        Add("memory_faults", vcpus.Sum(v => (double)v.MemoryFaults));
        if (Machine.TmmComponent is TmmActor tmm)
        {
            Add("tmm.rmi_calls", tmm.Calls);
            Add("tmm.rec_entries", tmm.Entries);
            Add("tmm.realm_exits", tmm.Exits);
            Add("tmm.realm_calls", tmm.RealmCalls);
        }
        if (Machine.Kvm is RealmLauncher kvm)
        {
            Add("realm.activated_ps", kvm.ActivatedAt.Picoseconds);
            Add("realm.stopped_ps", kvm.AllStoppedAt.Picoseconds);
            Add("realm.destroyed_ps", kvm.DestroyedAt.Picoseconds);
        }
        m.AddRange(Results.ProgramProgress.Metrics(Machine)); // vCPUs still inside their programs (the run's status)
        return m;
    }

    /// <summary>Builds the machine the spec describes.</summary>
    public static MachineModel Create(MachineSpec spec)
    {
        if (spec.Guests.Count != 1) throw new ArgumentException($"machine.guests: {spec.Guests.Count} guests; this build runs one guest per machine");
        var g = spec.Guests[0];
        return new(g.IsRealm
            ? RealmMachine.Create(spec.Platform, g.Configuration, g.Programs, g.Realm, pes: spec.Pes, psciBoot: g.PsciBoot)
            : new Machine(spec.Platform, g.Configuration, g.Programs, pes: spec.Pes, psciBoot: g.PsciBoot));
    }
}
