using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Kvm.Exits;
using VirtCca.Kvm.Host;
using VirtCca.SecureMonitor;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// A machine as a `virtcca run` model, with its metrics: the machine's totals, then the same per guest
/// (`guest.NAME.…`). Every value is a sum over the components this process ran, so a distributed run can
/// add them up over nodes.
/// </summary>
public sealed class MachineModel(Machine machine) : ISimulationModel, IReportsMetrics
{
    public Machine Machine { get; } = machine;
    public string Name => Machine.Model.Name;
    public Topology Topology => Machine.Model.Topology;
    public Component CreateComponent(int id) => Machine.Model.CreateComponent(id);

    public IReadOnlyList<KeyValuePair<string, double>> Metrics()
    {
        var m = new List<KeyValuePair<string, double>>();
        var pes = Machine.Pes.Where(p => p != null).ToArray();
        bool ran = pes.Length > 0; // a node of a distributed run that ran none of this machine reports zeros
        var kvm = pes.Select(p => p.Host).OfType<KvmCpu>().SelectMany(k => k.Vcpus).ToArray();
        void Add(string name, double value) => m.Add(new(name, value));
        Add("pes", pes.Length);
        Add("vcpus", Machine.Vcpus.Count());
        foreach (var c in Enum.GetValues<TimeCategory>()) Add($"time.{c.ToString().ToLowerInvariant()}_ps", pes.Sum(p => (double)p.Ledger[c]));
        Add("time.idle_waiting_ps", pes.Sum(p => (double)p.Ledger.IdleWaiting));
        Add("time.idle_finished_ps", pes.Sum(p => (double)p.Ledger.IdleFinished));
        Add("phase.creation_ps", pes.Sum(p => (double)p.Ledger.PhaseBusy(HostPhase.Creation)));
        Add("phase.run_ps", pes.Sum(p => (double)p.Ledger.PhaseBusy(HostPhase.Run)));
        Add("phase.teardown_ps", pes.Sum(p => (double)p.Ledger.PhaseBusy(HostPhase.Teardown)));
        foreach (var c in Enum.GetValues<TimeCategory>().Where(c => c != TimeCategory.Idle))
            Add($"phase.run.{c.ToString().ToLowerInvariant()}_ps", pes.Sum(p => (double)p.Ledger.RunBreakdown[c]));
        AddVcpuCounters(Add, "", kvm);
        Add("host_smcs", pes.Sum(p => (double)p.Stats.HostSmcs));
        Add("timer_fires", pes.Sum(p => (double)p.Stats.TimerFires));
        Add("context_switches", pes.Select(p => p.Host).OfType<KvmCpu>().Sum(k => (double)k.ContextSwitches));
        if (Machine.Tmm is { } tmm)
        {
            Add("tmm.rmi_calls", tmm.Calls);
            Add("tmm.rec_entries", tmm.Entries);
            Add("tmm.realm_exits", tmm.Exits);
            Add("tmm.realm_calls", tmm.RealmCalls);
            Add("tmm.granules_delegated", tmm.Rmm.DelegatedGranules.Count());
        }
        Add("memory.pages_materialised", ran ? Machine.Memory.PagesMaterialised : 0);
        // Requests of the programs' request loops: count, sum and latency buckets (they add up over nodes; percentiles come from the buckets).
        var latency = new Devices.Load.LatencyHistogram();
        foreach (var v in Machine.Vcpus) latency.Add(v.RequestLatency);
        m.AddRange(latency.ToMetrics("requests"));
        if (Machine.AttackerId >= 0) AttackMetrics(Add, ran ? Machine.Attacker?.Outcomes ?? [] : []);
        for (int g = 0; g < Machine.Spec.Guests.Count; g++)
        {
            string n = $"guest.{Machine.Spec.Guests[g].Name}.";
            var mine = kvm.Where(v => v.Guest.Id == g).ToArray();
            foreach (var c in new[] { TimeCategory.Guest, TimeCategory.Kvm, TimeCategory.Monitor, TimeCategory.Tmm })
                Add($"{n}time.{c.ToString().ToLowerInvariant()}_ps", pes.Sum(p => (double)p.Ledger.OfGuest(g)[c]));
            AddVcpuCounters(Add, n, mine);
            if (ran && Machine.Vmms.ElementAtOrDefault(g) is { } vmm)
            {
                var guest = vmm.Guest;
                if (guest.IsRealm)
                {
                    Add($"{n}realm.activated_ps", vmm.ActivatedAt.Picoseconds);
                    Add($"{n}realm.creation_calls", guest.CreationCalls);
                    Add($"{n}realm.destruction_calls", guest.DestructionCalls);
                    Add($"{n}realm.pages_populated_on_demand", guest.Book.PopulatedOnDemand);
                    // Each RMI / TMI call KVM made for it, by phase: what the two creation sequences cost, call by call.
                    foreach (var ((phase, fid), count) in guest.CallCounts)
                        Add($"{n}calls.{phase.ToString().ToLowerInvariant()}.{Tmm.Abi.AbiCallNames.Of(fid)}", count);
                }
                Add($"{n}stopped_ps", vmm.AllStoppedAt.Picoseconds);
                if (guest.IsRealm) Add($"{n}realm.destroyed_ps", vmm.DestroyedAt.Picoseconds);
                Add($"{n}resets", vmm.Resets);
            }
        }
        Io.IoMetricsReport.Add(Add, Machine);
        m.AddRange(Results.ProgramProgress.Metrics(Machine)); // vCPUs still inside their programs (the run's status)
        return m;
    }

    /// <summary>Attempts by verdict (each node counts the attempts its attacker made).</summary>
    private static void AttackMetrics(Action<string, double> add, IReadOnlyList<Kvm.Attacks.AttackOutcome> outcomes)
    {
        add("attacks.attempted", outcomes.Count);
        foreach (var v in Enum.GetValues<Kvm.Attacks.Verdict>())
            add($"attacks.{Results.AttackReport.VerdictName(v).Replace('-', '_')}", outcomes.Count(o => o.Verdict == v));
    }

    /// <summary>Counters of KVM's vCPU structures and their vCPUs.</summary>
    private static void AddVcpuCounters(Action<string, double> add, string prefix, IReadOnlyList<Kvm.Vcpus.KvmVcpu> vcpus)
    {
        add($"{prefix}exits.total", vcpus.Sum(v => (double)v.ExitsTotal));
        foreach (var r in Enum.GetValues<ExitKind>()) add($"{prefix}exits.{Snake(r.ToString())}", vcpus.Sum(v => (double)v.Exits[(int)r]));
        add($"{prefix}entries", vcpus.Sum(v => (double)v.Entries));
        add($"{prefix}ipis_sent", vcpus.Sum(v => (double)v.IpisSent));
        add($"{prefix}stage2_faults", vcpus.Sum(v => (double)v.Stage2Faults));
        add($"{prefix}vcpu_wait_ps", vcpus.Sum(v => (double)v.WaitPicoseconds));
        add($"{prefix}ops_retired", vcpus.Sum(v => (double)v.Vcpu.OpsRetired));
        add($"{prefix}interrupts_taken", vcpus.Sum(v => (double)v.Vcpu.InterruptsTaken));
        add($"{prefix}memory_faults", vcpus.Sum(v => (double)v.Vcpu.MemoryFaults));
    }

    private static string Snake(string s) => string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Builds the machine the spec describes.</summary>
    public static MachineModel Create(MachineSpec spec) => new(new Machine(spec));
}
