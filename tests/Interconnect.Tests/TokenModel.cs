using Google.Protobuf;
using VirtCca.Interconnect.Tests.Protocol;

namespace VirtCca.Interconnect.Tests;

/// <summary>
/// Tokens passed around placement groups: links inside a group are short (<see cref="IntraPs"/>),
/// links between groups long (<see cref="InterPs"/>, one all-to-all set that the groups' own sets
/// undercut). Each hop carries its count in a Protobuf <see cref="Token"/>, in 8 payload bytes or in
/// the argument alone, by turns; the receiver reads it back from the payload and folds the token's
/// nested stamp into the next argument — so a payload garbled on any path changes the digest.
/// </summary>
internal sealed class TokenModel : ISimulationModel
{
    public const int KindHop = 7;

    public TokenModel(int components = 12, int groupSize = 3, long intraPs = 100, long interPs = 2_000, int population = 2)
    {
        IntraPs = intraPs; InterPs = interPs; Population = population; GroupSize = groupSize;
        var b = new Topology.Builder();
        for (int i = 0; i < components; i++) b.Add($"token-{i}", i / groupSize);
        b.AllToAll(new SimTime(interPs));
        for (int g = 0; g < components; g += groupSize)
            b.LinkAll(Enumerable.Range(g, Math.Min(groupSize, components - g)), new SimTime(intraPs), $"group-{g / groupSize}");
        Topology = b.Build();
    }

    public long IntraPs { get; }
    public long InterPs { get; }
    public int Population { get; }
    public int GroupSize { get; }
    public string Name => "tokens";
    public Topology Topology { get; }
    public Component CreateComponent(int id) => new Passer(this);

    private sealed class Passer(TokenModel m) : Component
    {
        public override void Start(ISimContext ctx)
        {
            for (int i = 0; i < m.Population; i++)
                ctx.Schedule(new SimTime(ctx.Random.NextInt(5_000)), KindHop, 0,
                    new Token { Hops = 0, Stamp = new Token.Types.Stamp { By = ctx.Self, Note = "start" } });
        }

        public override void Handle(in SimEvent ev, ISimContext ctx)
        {
            long hops = ev.Payload switch
            {
                Token t => t.Hops + t.Stamp.By % 2 + (t.Stamp.Note.Length == 0 ? 100 : 0) + t.Trail.Length,
                byte[] b => BitConverter.ToInt64(b) - 1,
                _ => ev.Arg,
            };
            var rng = ctx.Random;
            int n = m.Topology.Count, self = ctx.Self;
            int groupStart = self / m.GroupSize * m.GroupSize;
            int groupSize = Math.Min(m.GroupSize, n - groupStart);
            int target = groupSize > 1 && rng.NextDouble() < 0.7
                ? groupStart + (self - groupStart + 1 + rng.NextInt(groupSize - 1)) % groupSize
                : (self + 1 + rng.NextInt(n - 1)) % n;
            var extra = new SimTime(rng.NextExponential(m.IntraPs * 3));
            long next = hops + 1;
            object? payload = (next % 3) switch
            {
                0 => new Token { Hops = next, Trail = ByteString.CopyFrom(new byte[next % 4]), Stamp = new Token.Types.Stamp { By = self, Note = $"n{next}" } },
                1 => BitConverter.GetBytes(next + 1),
                _ => null,
            };
            ctx.Send(target, KindHop, next, payload, extra);
        }
    }
}
