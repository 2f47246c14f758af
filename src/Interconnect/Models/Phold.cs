namespace VirtCca.Interconnect.Models;

/// <summary>PHOLD parameters (the standard parallel-DES benchmark).</summary>
public sealed record PholdParameters
{
    public int Components { get; init; } = 64;
    /// <summary>Events each component starts with.</summary>
    public int Population { get; init; } = 64;
    /// <summary>Latency of every link, which is also the lookahead.</summary>
    public SimTime Lookahead { get; init; } = SimTime.FromNanoseconds(1_000);
    /// <summary>Mean of the exponential delay added to the lookahead.</summary>
    public SimTime MeanDelay { get; init; } = SimTime.FromNanoseconds(10_000);
    /// <summary>Probability that an event's successor goes to another component rather than back to itself.</summary>
    public double RemoteFraction { get; init; } = 1.0;
    /// <summary>Components per placement group (1: each its own).</summary>
    public int GroupSize { get; init; } = 1;
}

/// <summary>
/// PHOLD: N components; every event schedules one new event at a random component (possibly
/// itself) after lookahead + an exponential delay. The event carries a hop count so payloads matter
/// to the digest.
/// </summary>
public sealed class PholdModel : ISimulationModel
{
    public const int KindHop = 1;

    public PholdModel(PholdParameters p)
    {
        if (p.Components < 1) throw new ArgumentException($"phold.components must be >= 1 (got {p.Components})");
        if (p.Population < 0) throw new ArgumentException($"phold.population must be >= 0 (got {p.Population})");
        if (p.RemoteFraction is < 0 or > 1) throw new ArgumentException($"phold.remote-fraction must be in [0, 1] (got {p.RemoteFraction})");
        if (p.GroupSize < 1) throw new ArgumentException($"phold.group-size must be >= 1 (got {p.GroupSize})");
        Parameters = p;
        var b = new Topology.Builder();
        for (int i = 0; i < p.Components; i++) b.Add($"phold-{i}", i / p.GroupSize);
        if (p.Components > 1) b.AllToAll(p.Lookahead);
        Topology = b.Build();
    }

    public PholdParameters Parameters { get; }
    public string Name => "phold";
    public Topology Topology { get; }
    public Component CreateComponent(int id) => new PholdComponent(Parameters);

    private sealed class PholdComponent(PholdParameters p) : Component
    {
        private readonly double _mean = p.MeanDelay.Picoseconds;

        public override void Start(ISimContext ctx)
        {
            for (int i = 0; i < p.Population; i++)
                ctx.Schedule(new SimTime(ctx.Random.NextExponential(_mean)), KindHop, 0);
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            var rng = ctx.Random;
            var delay = new SimTime(rng.NextExponential(_mean));
            bool remote = p.Components > 1 && (p.RemoteFraction >= 1.0 || rng.NextDouble() < p.RemoteFraction);
            if (remote)
            {
                int target = rng.NextInt(p.Components - 1);
                if (target >= ctx.Self) target++;
                ctx.Send(target, KindHop, ev.Arg + 1, null, delay);
            }
            else ctx.Schedule(p.Lookahead + delay, KindHop, ev.Arg + 1);
        }
    }
}
