using VirtCca.Interconnect;

namespace VirtCca.Devices.Network;

/// <summary>
/// A NIC. Its link's propagation and the NIC's own pipeline are the topology link's latency
/// (<see cref="NetworkSettings.LinkLatency"/>), so machines joined by a network get windows that
/// wide; the NIC adds the serialisation of each frame at <see cref="BitsPerSecond"/>.
/// </summary>
public sealed record NicSettings
{
    /// <summary>The station address (the low 24 bits of its MAC).</summary>
    public int Address { get; init; }

    /// <summary>
    /// More stations behind this NIC (the guests of a machine, bridged to it: its MAC filter holds
    /// theirs); frames for any of them or for <see cref="Address"/> are taken.
    /// </summary>
    public IReadOnlyCollection<int> Stations { get; init; } = [];

    public bool Accepts(int destination) => destination == Address || Stations.Contains(destination);

    /// <summary>Assumed: 25 GbE, a Kunpeng server's usual port (costs.md §9.3 has no NIC figure).</summary>
    public long BitsPerSecond { get; init; } = 25_000_000_000;

    /// <summary>S: Ethernet's standard MTU (IEEE 802.3 payload of 1500 bytes); the NIC cuts larger packets (TSO).</summary>
    public int Mtu { get; init; } = 1500;
}

/// <summary>A store-and-forward switch: a frame is forwarded once it has fully arrived, after the forwarding latency, then serialised on its output port.</summary>
public sealed record SwitchSettings
{
    /// <summary>Assumed: 0.5 µs, a datacenter top-of-rack switch's port-to-port latency (no figure in costs.md).</summary>
    public SimTime ForwardingLatency { get; init; } = SimTime.FromNanoseconds(500);

    /// <summary>Assumed: 25 GbE ports.</summary>
    public long PortBitsPerSecond { get; init; } = 25_000_000_000;
}

/// <summary>What the composition needs besides the components' own settings.</summary>
public static class NetworkSettings
{
    /// <summary>
    /// Assumed: 1 µs from one end of a NIC–switch link to the other — the NIC's transmit or receive
    /// pipeline (no published figure, costs.md §9.3) and a few metres of cable (~5 ns/m). Use it as
    /// the topology latency of NIC↔switch links: it is also the lookahead between machines.
    /// </summary>
    public static readonly SimTime LinkLatency = SimTime.FromMicroseconds(1);
}
