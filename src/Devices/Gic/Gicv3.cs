namespace VirtCca.Devices.Gic;

/// <summary>
/// A GICv3: one <see cref="Distributor"/> (SPIs, routed by affinity) and one
/// <see cref="Redistributor"/> per CPU (banked SGIs and PPIs), named by CPU index for callers and
/// by MPIDR affinity inside, as the hardware does. 8-bit priorities (lower is more urgent; ties go
/// to the lower INTID); pending → active on acknowledge, inactive on EOI, with the running
/// priority masking everything not more urgent than what is active.
/// </summary>
public sealed class Gicv3
{
    public const int SpiBase = Distributor.SpiBase, MaxIntid = Distributor.MaxIntid;
    private readonly Redistributor[] _cpus;
    private readonly Dictionary<Affinity, int> _cpuOfAffinity = new();

    /// <summary>A GIC for <paramref name="cpus"/> CPUs in the default layout (<see cref="Affinity.ForCpu"/>).</summary>
    public Gicv3(int cpus) : this(Enumerable.Range(0, cpus >= 1 ? cpus : throw new ArgumentOutOfRangeException(nameof(cpus))).Select(Affinity.ForCpu).ToArray()) { }

    /// <summary>A GIC whose CPU i has affinity <paramref name="affinities"/>[i].</summary>
    public Gicv3(IReadOnlyList<Affinity> affinities)
    {
        if (affinities.Count < 1) throw new ArgumentOutOfRangeException(nameof(affinities), "at least one CPU");
        _cpus = new Redistributor[affinities.Count];
        for (int i = 0; i < _cpus.Length; i++)
        {
            if (!_cpuOfAffinity.TryAdd(affinities[i], i)) throw new ArgumentException($"CPUs {_cpuOfAffinity[affinities[i]]} and {i} share affinity {affinities[i]}");
            _cpus[i] = new Redistributor(affinities[i]);
        }
    }

    public int Cpus => _cpus.Length;
    public Distributor Distributor { get; } = new();
    public Redistributor Redistributor(int cpu) => _cpus[CheckCpu(cpu)];
    public Affinity AffinityOf(int cpu) => _cpus[CheckCpu(cpu)].Affinity;

    /// <summary>The CPU with this affinity, if any.</summary>
    public int? CpuOf(Affinity affinity) => _cpuOfAffinity.TryGetValue(affinity, out int cpu) ? cpu : null;

    /// <summary>The state of <paramref name="intid"/> as CPU <paramref name="cpu"/> sees it.</summary>
    public InterruptState State(int cpu, int intid)
    {
        if (intid is < 0 or >= MaxIntid) throw new ArgumentOutOfRangeException(nameof(intid), $"INTID {intid} is not an SGI, PPI or SPI");
        return intid < SpiBase ? _cpus[CheckCpu(cpu)].State(intid) : Distributor.State(intid);
    }

    /// <summary>Routes an SPI to a CPU: writes that CPU's affinity to GICD_IROUTER.</summary>
    public void Route(int spi, int cpu) => Distributor.SetRouter(spi, AffinityOf(cpu).ToRouter());

    /// <summary>
    /// The CPU an SPI goes to now, or null when its GICD_IROUTER names no CPU (it stays pending,
    /// undelivered, as on hardware). Interrupt_Routing_Mode = 1 ("any participating PE") picks the
    /// lowest-numbered CPU: every CPU participates here, and a fixed choice keeps runs repeatable.
    /// </summary>
    public int? TargetOf(int spi)
    {
        ulong router = Distributor.Router(spi);
        return (router & Distributor.RoutingModeAny) != 0 ? 0 : CpuOf(Affinity.FromRouter(router));
    }

    /// <summary>Makes an interrupt pending. SGIs and PPIs name their target CPU; SPIs go where they are routed. Returns the CPU to signal, or -1 when an SPI is routed to no CPU.</summary>
    public int Raise(int intid, int targetCpu = 0)
    {
        if (intid < SpiBase)
        {
            State(targetCpu, intid).Pending = true;
            return targetCpu;
        }
        State(0, intid).Pending = true;
        return TargetOf(intid) ?? -1;
    }

    /// <summary>
    /// An ICC_SGI1R_EL1 write by <paramref name="senderCpu"/>: the SGI goes pending on every CPU it
    /// names (IRM = 1: all but the sender). Affinities that name no CPU are dropped, as the
    /// hardware drops them. Returns the CPUs to signal, ascending.
    /// </summary>
    public IReadOnlyList<int> RaiseSgi(ulong iccSgi1r, int senderCpu)
    {
        CheckCpu(senderCpu);
        var sgi = IccSgi1r.Decode(iccSgi1r);
        var targets = sgi.AllButSelf
            ? Enumerable.Range(0, Cpus).Where(c => c != senderCpu).ToList()
            : sgi.Targets().Select(CpuOf).OfType<int>().Order().ToList();
        foreach (int cpu in targets) _cpus[cpu].State(sgi.Intid).Pending = true;
        return targets;
    }

    /// <summary>The interrupt this CPU would take now for <paramref name="group"/>, if any (highest priority, lowest INTID).</summary>
    public int? HighestPending(int cpu, InterruptGroup group)
    {
        var redistributor = _cpus[CheckCpu(cpu)];
        byte mask = redistributor.RunningPriority;
        int? best = null;
        byte bestPriority = 0xFF;
        // Only sets with something pending are scanned: SPIs are rarely pending, and a CPU's banked ones often not.
        int from = redistributor.PendingBanked.Value > 0 ? 0 : SpiBase, to = Distributor.PendingSpis.Value > 0 ? MaxIntid : SpiBase;
        for (int intid = from; intid < to; intid++)
        {
            var s = State(cpu, intid);
            if (!s.Pending || s.Active || !s.Enabled || s.Group != group || s.Priority >= mask) continue;
            if (intid >= SpiBase && TargetOf(intid) != cpu) continue;
            if (best == null || s.Priority < bestPriority) { best = intid; bestPriority = s.Priority; }
        }
        return best;
    }

    /// <summary>ICC_IAR: takes the highest pending interrupt (pending → active), or 1023 (spurious).</summary>
    public int Acknowledge(int cpu, InterruptGroup group)
    {
        if (HighestPending(cpu, group) is not { } intid) return 1023;
        var s = State(cpu, intid);
        s.Pending = false;
        s.Active = true;
        _cpus[cpu].Running.Push((intid, s.Priority));
        return intid;
    }

    /// <summary>ICC_EOIR: the interrupt goes inactive and the running priority drops back. EOI of an interrupt that is not the most recent active one is refused.</summary>
    public bool EndOfInterrupt(int cpu, int intid)
    {
        var running = _cpus[CheckCpu(cpu)].Running;
        if (running.Count == 0 || running.Peek().Intid != intid) return false;
        running.Pop();
        State(cpu, intid).Active = false;
        return true;
    }

    private int CheckCpu(int cpu) => cpu >= 0 && cpu < _cpus.Length ? cpu : throw new ArgumentOutOfRangeException(nameof(cpu), $"no CPU {cpu}");
}
