using VirtCca.Devices.Load;
using VirtCca.Devices.Network;

namespace VirtCca.Devices.Tests.Network;

/// <summary>
/// Two stations on a switch: a load generator (address 1) behind NIC A and a responder (address 2,
/// one server of <see cref="ServiceTime"/>) behind NIC B. Host–NIC links 200 ns, NIC–switch links
/// <see cref="NetworkSettings.LinkLatency"/> (1 µs); 25 Gb/s everywhere, MTU 1500, switch 500 ns.
/// </summary>
internal sealed class NetRig
{
    public const int Client = 0, NicA = 1, Switch = 2, NicB = 3, Server = 4;
    public LoadSettings Load { get; init; } = new() { Address = 1, Servers = [2], Requests = 1 };
    public SimTime ServiceTime { get; init; } = SimTime.FromMicroseconds(2);

    public LoadGeneratorActor LoadGenerator { get; private set; } = null!;
    public SwitchActor SwitchActor { get; private set; } = null!;
    public ResponderActor Responder { get; private set; } = null!;

    public FactoryModel Build()
    {
        var b = new Topology.Builder();
        b.Add("client"); b.Add("nic-a"); b.Add("switch"); b.Add("nic-b"); b.Add("server");
        var host = SimTime.FromNanoseconds(200);
        b.Link(Client, NicA, host).Link(NicA, Switch, NetworkSettings.LinkLatency).Link(Switch, NicB, NetworkSettings.LinkLatency).Link(NicB, Server, host);
        return new FactoryModel("net", b.Build(), id => id switch
        {
            Client => LoadGenerator = new LoadGeneratorActor(Load, NicA),
            NicA => new NicActor(new NicSettings { Address = 1 }, Client, Switch),
            Switch => SwitchActor = new SwitchActor(new SwitchSettings(), new Dictionary<int, int> { [1] = NicA, [2] = NicB }),
            NicB => new NicActor(new NicSettings { Address = 2 }, Server, Switch),
            _ => Responder = new ResponderActor(2, ServiceTime, NicB),
        });
    }
}
