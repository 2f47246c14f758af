using VirtCca.Interconnect;

namespace VirtCca.Launcher.Composition.Network;

/// <summary>
/// A component of a sub-model (a machine) included in a larger topology at <paramref name="offset"/>:
/// it sees ids as its own model numbers them — its events' targets and sources, the ids it sends to,
/// the components it drives while resident — so a machine runs unchanged whether alone or one of
/// many. Ids outside its model (a network's switch) are the global id minus the offset.
/// </summary>
public sealed class ShiftedComponent(Component inner, int offset) : Component
{
    private readonly Context _context = new(offset);

    public Component Inner { get; } = inner;

    public override void Start(ISimContext ctx) => Inner.Start(_context.With(ctx));

    public override void Handle(in SimEvent ev, ISimContext ctx) =>
        Inner.Handle(new SimEvent(ev.Time, ev.Target - offset, ev.Source - offset, ev.Seq, ev.Kind, ev.Arg, ev.Payload), _context.With(ctx));

    private sealed class Context(int offset) : ISimContext
    {
        private ISimContext _outer = null!;

        public Context With(ISimContext outer) { _outer = outer; return this; }

        public int Self => _outer.Self - offset;
        public SimTime Now => _outer.Now;
        public SimRandom Random => _outer.Random;

        public void Send(int target, int kind, long arg = 0, object? payload = null, SimTime extraDelay = default) =>
            _outer.Send(target + offset, kind, arg, payload, extraDelay);

        public void Schedule(SimTime delay, int kind, long arg = 0, object? payload = null) => _outer.Schedule(delay, kind, arg, payload);

        public T Resident<T>(int id) where T : class
        {
            var c = _outer.Resident<Component>(id + offset);
            return (c is ShiftedComponent s ? s.Inner : c) as T
                ?? throw new SimulationException($"component {id + offset} is a {c.GetType().Name}, not a {typeof(T).Name}");
        }
    }
}
