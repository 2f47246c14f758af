using VirtCca.Interconnect;

namespace VirtCca.Devices.Gic;

/// <summary>GIC costs in cycles (costs.md §8.3, "assumed"): a physical SGI from the sender's write to the target's IRQ line.</summary>
public sealed record GicCosts(long FrequencyHz = 2_600_000_000, long SgiCycles = 500, long SpiCycles = 500)
{
    public SimTime Sgi => SimTime.FromCycles(SgiCycles, FrequencyHz);
    public SimTime Spi => SimTime.FromCycles(SpiCycles, FrequencyHz);
}

/// <summary>
/// The GIC as a kernel component. Requests carry their data in the event's argument (no payload
/// needed): raise SGI (arg = target CPU &lt;&lt; 16 | INTID), raise SPI (arg = INTID), acknowledge
/// (arg = group), EOI (arg = INTID), and SGI by an ICC_SGI1R_EL1 value (arg = the 64-bit register
/// value; the sender is the event's source PE, excluded when IRM = 1). The signalled CPU's PE component (<paramref name="peOfCpu"/>)
/// gets <see cref="KindSignal"/> with the INTID it should take; acknowledges are answered with <see cref="KindAcknowledged"/>.
/// </summary>
public sealed class GicActor(Gicv3 gic, int[] peOfCpu, GicCosts costs) : Component
{
    public const int KindSgi = DeviceKinds.GicSgi, KindSpi = DeviceKinds.GicSpi, KindAcknowledge = DeviceKinds.GicAcknowledge, KindEoi = DeviceKinds.GicEoi,
        KindSgiByRegister = DeviceKinds.GicSgiByRegister, KindSignal = DeviceKinds.GicSignal, KindAcknowledged = DeviceKinds.GicAcknowledged;

    private static readonly InterruptGroup[] Groups = [InterruptGroup.Group0, InterruptGroup.Group1Secure, InterruptGroup.Group1NonSecure];

    // By component id, so a machine of thousands of PEs finds the sender's CPU in O(1).
    private readonly Dictionary<int, int> _cpuOfPe = peOfCpu.Select((pe, cpu) => (pe, cpu)).ToDictionary(x => x.pe, x => x.cpu);

    public Gicv3 Gic { get; } = gic;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        switch (ev.Kind)
        {
            case KindSgi:
                Signal(ctx, Gic.Raise((int)(ev.Arg & 0xFFFF), (int)(ev.Arg >> 16)), costs.Sgi);
                break;
            case KindSgiByRegister:
                foreach (int target in Gic.RaiseSgi((ulong)ev.Arg, CpuOf(ev.Source))) Signal(ctx, target, costs.Sgi);
                break;
            case KindSpi:
                Signal(ctx, Gic.Raise((int)ev.Arg), costs.Spi);
                break;
            case KindAcknowledge:
                int cpu = CpuOf(ev.Source);
                ctx.Send(ev.Source, KindAcknowledged, Gic.Acknowledge(cpu, (InterruptGroup)ev.Arg));
                break;
            case KindEoi:
                int c = CpuOf(ev.Source);
                if (!Gic.EndOfInterrupt(c, (int)ev.Arg)) throw new InvalidOperationException($"CPU {c} EOIed INTID {ev.Arg}, which is not its active interrupt");
                Signal(ctx, c, SimTime.Zero); // something less urgent may be waiting
                break;
            default:
                throw new InvalidOperationException($"GicActor got event kind {ev.Kind}");
        }
    }

    private void Signal(ISimContext ctx, int cpu, SimTime delay)
    {
        if (cpu < 0) return; // an SPI routed to no CPU stays pending, unsignalled
        foreach (var group in Groups)
            if (Gic.HighestPending(cpu, group) is { } intid) { ctx.Send(peOfCpu[cpu], KindSignal, intid, extraDelay: delay); return; }
    }

    private int CpuOf(int component)
    {
        return _cpuOfPe.TryGetValue(component, out int cpu) ? cpu : throw new InvalidOperationException($"component {component} is not a CPU's PE");
    }
}
