using Akka.Actor;
using Akka.Cluster;

namespace VirtCca.Launcher.Cluster;

/// <summary>Completes <see cref="Ready"/> once the cluster has the wanted number of members Up.</summary>
internal sealed class MembershipWatch : ReceiveActor
{
    private readonly HashSet<Member> _up = new();

    public MembershipWatch(int wanted, TaskCompletionSource<IReadOnlyList<Member>> ready)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Receive<ClusterEvent.MemberUp>(m =>
        {
            _up.Add(m.Member);
            if (_up.Count >= wanted) ready.TrySetResult(_up.ToList());
        });
        Receive<ClusterEvent.MemberRemoved>(m => _up.Remove(m.Member));
    }

    public static Props PropsFor(int wanted, TaskCompletionSource<IReadOnlyList<Member>> ready) =>
        Props.Create(() => new MembershipWatch(wanted, ready));
}
