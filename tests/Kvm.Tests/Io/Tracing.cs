namespace VirtCca.Kvm.Tests.Io;

/// <summary>A model whose components log every event they handle (time, component, kind, argument), for tests that follow a request hop by hop.</summary>
internal sealed class Tracing(ISimulationModel inner) : ISimulationModel
{
    public List<(long Time, string Component, int Kind, long Arg, int Source)> Log { get; } = new();
    public string Name => inner.Name;
    public Topology Topology => inner.Topology;
    public Component CreateComponent(int id) => inner.CreateComponent(id) is var c && c is VirtCca.Cores.Vcpu.VcpuActor or VirtCca.Launcher.Composition.Network.ShiftedComponent { Inner: VirtCca.Cores.Vcpu.VcpuActor } ? c : new Traced(c, inner.Topology.Names[id], Log); // vCPUs get no events: their PE drives them

    private sealed class Traced(Component c, string name, List<(long, string, int, long, int)> log) : Component
    {
        public override void Start(ISimContext ctx) => c.Start(ctx);
        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            log.Add((ev.Time, name, ev.Kind, ev.Arg, ev.Source));
            c.Handle(ev, ctx);
        }
    }

    /// <summary>The first event of this kind at this component at or after <paramref name="after"/>.</summary>
    public long First(string component, int kind, long after = 0) =>
        Log.First(e => e.Component == component && e.Kind == kind && e.Time >= after).Time;
}
