namespace VirtCca.Devices.Gic;

/// <summary>GICv3 interrupt groups.</summary>
public enum InterruptGroup { Group0, Group1Secure, Group1NonSecure }

/// <summary>State of one interrupt for one target (SGI/PPI are banked per CPU, SPIs are global).</summary>
public sealed class InterruptState
{
    public bool Enabled = true, Pending, Active;
    public byte Priority = 0xA0;
    public InterruptGroup Group = InterruptGroup.Group1NonSecure;
    /// <summary>SPIs only: the CPU the interrupt is routed to by affinity.</summary>
    public int Route;
}

/// <summary>
/// A GICv3 distributor plus one redistributor per CPU: SGIs (0–15) and PPIs (16–31) banked per
/// CPU, SPIs (32–1019) routed to a CPU by affinity; groups; 8-bit priorities (lower is more
/// urgent; ties go to the lower INTID); pending → active on acknowledge, inactive on EOI, with the
/// running priority masking everything not more urgent than what is active.
/// </summary>
public sealed class Gicv3
{
    public const int SpiBase = 32, MaxIntid = 1020;
    private readonly InterruptState[][] _banked;            // [cpu][0..31]
    private readonly InterruptState[] _spis = new InterruptState[MaxIntid - SpiBase];
    private readonly Stack<(int Intid, byte Priority)>[] _running;

    public Gicv3(int cpus)
    {
        if (cpus < 1) throw new ArgumentOutOfRangeException(nameof(cpus));
        Cpus = cpus;
        _banked = Enumerable.Range(0, cpus).Select(_ => Enumerable.Range(0, SpiBase).Select(_ => new InterruptState()).ToArray()).ToArray();
        for (int i = 0; i < _spis.Length; i++) _spis[i] = new InterruptState();
        _running = Enumerable.Range(0, cpus).Select(_ => new Stack<(int, byte)>()).ToArray();
    }

    public int Cpus { get; }

    /// <summary>The state of <paramref name="intid"/> as CPU <paramref name="cpu"/> sees it.</summary>
    public InterruptState State(int cpu, int intid)
    {
        if (intid is < 0 or >= MaxIntid) throw new ArgumentOutOfRangeException(nameof(intid), $"INTID {intid} is not an SGI, PPI or SPI");
        return intid < SpiBase ? _banked[cpu][intid] : _spis[intid - SpiBase];
    }

    /// <summary>Routes an SPI to a CPU (GICD_IROUTER by affinity).</summary>
    public void Route(int spi, int cpu)
    {
        if (spi < SpiBase) throw new ArgumentOutOfRangeException(nameof(spi), "only SPIs are routed");
        if (cpu < 0 || cpu >= Cpus) throw new ArgumentOutOfRangeException(nameof(cpu), $"no CPU {cpu}");
        _spis[spi - SpiBase].Route = cpu;
    }

    /// <summary>Makes an interrupt pending. SGIs and PPIs name their target CPU; SPIs go where they are routed. Returns the CPU to signal.</summary>
    public int Raise(int intid, int targetCpu = 0)
    {
        if (intid < SpiBase && (targetCpu < 0 || targetCpu >= Cpus)) throw new ArgumentOutOfRangeException(nameof(targetCpu), $"no CPU {targetCpu}");
        var s = State(intid < SpiBase ? targetCpu : 0, intid);
        s.Pending = true;
        return intid < SpiBase ? targetCpu : s.Route;
    }

    /// <summary>The interrupt this CPU would take now for <paramref name="group"/>, if any (highest priority, lowest INTID).</summary>
    public int? HighestPending(int cpu, InterruptGroup group)
    {
        byte mask = _running[cpu].Count > 0 ? _running[cpu].Peek().Priority : (byte)0xFF;
        int? best = null;
        byte bestPriority = 0xFF;
        for (int intid = 0; intid < MaxIntid; intid++)
        {
            if (intid >= SpiBase && _spis[intid - SpiBase].Route != cpu) continue;
            var s = State(cpu, intid);
            if (!s.Pending || s.Active || !s.Enabled || s.Group != group || s.Priority >= mask) continue;
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
        _running[cpu].Push((intid, s.Priority));
        return intid;
    }

    /// <summary>ICC_EOIR: the interrupt goes inactive and the running priority drops back. EOI of an interrupt that is not the most recent active one is refused.</summary>
    public bool EndOfInterrupt(int cpu, int intid)
    {
        if (_running[cpu].Count == 0 || _running[cpu].Peek().Intid != intid) return false;
        _running[cpu].Pop();
        State(cpu, intid).Active = false;
        return true;
    }
}

/// <summary>A GICv3 list register (ICH_LR_EL2) as carried in a vCPU's context on entry: how a virtual interrupt reaches a guest.</summary>
public readonly record struct ListRegister(uint VirtualIntid, byte Priority, InterruptGroup Group, ListRegisterState State)
{
    public const int PerVcpu = 16;

    /// <summary>The architectural encoding: vINTID [31:0], priority [55:48], group [60], state [63:62].</summary>
    public ulong Encode() => VirtualIntid | (ulong)Priority << 48 | (Group == InterruptGroup.Group0 ? 0UL : 1UL << 60) | (ulong)State << 62;
}

public enum ListRegisterState : byte { Invalid = 0, Pending = 1, Active = 2, PendingActive = 3 }
