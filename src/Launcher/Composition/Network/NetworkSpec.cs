using VirtCca.Devices.Load;
using VirtCca.Devices.Network;
using VirtCca.Interconnect;

namespace VirtCca.Launcher.Composition.Network;

/// <summary>The network between machines: NIC–switch links and one store-and-forward switch (HOCON network { }).</summary>
public sealed record NetworkLinks
{
    /// <summary>One way over a NIC–switch link (the NIC's pipeline and the cable): the lookahead between machines.</summary>
    public SimTime LinkLatency { get; init; } = Devices.Network.NetworkSettings.LinkLatency;
    public SwitchSettings Switch { get; init; } = new();
}

/// <summary>A client machine's traffic: a load generator on its NIC, and the servers it aims at (station name patterns, or all).</summary>
public sealed record LoadSpec(LoadSettings Settings, IReadOnlyList<string> Servers);

/// <summary>One machine of a network: a server with guests (<see cref="Machine"/>), or a client with a load generator (<see cref="Load"/>).</summary>
public sealed record NetMachineSpec(string Name, MachineSpec? Machine, LoadSpec? Load, NicSettings Nic, SimTime PcieLink, string Path = "machines");

/// <summary>A station on the network: a guest's virtio-net device ("machine/guest", or "machine/guest/device" for a second one), a machine's own NIC, or a client.</summary>
public sealed record Station(string Name, int Address, int Machine, int Guest = -1, int Device = -1)
{
    public bool IsGuest => Guest >= 0;
}

/// <summary>
/// Machines on one switch (model.type = network): each server is a whole machine with its guests,
/// each client a load generator behind a NIC; every guest with a virtio-net device is a station with
/// its own address. Nothing here builds components (see <see cref="NetworkModel"/>).
/// </summary>
public sealed record NetworkSpec
{
    public required IReadOnlyList<NetMachineSpec> Machines { get; init; }
    public NetworkLinks Links { get; init; } = new();

    /// <summary>Every station, numbered from 1 in machine, guest and device order; each machine's own NIC first.</summary>
    public IReadOnlyList<Station> Stations => _stations ??= Number();
    private IReadOnlyList<Station>? _stations;

    private List<Station> Number()
    {
        var list = new List<Station>();
        for (int m = 0; m < Machines.Count; m++)
        {
            var nm = Machines[m];
            list.Add(new Station(nm.Name, list.Count + 1, m));
            if (nm.Machine is not { } spec) continue;
            for (int g = 0; g < spec.Guests.Count; g++)
            {
                var guest = spec.Guests[g];
                var nets = guest.Devices.Select((d, i) => (d, i)).Where(x => !x.d.IsBlk).ToArray();
                foreach (var (d, i) in nets)
                    list.Add(new Station(d == nets[0].d ? $"{nm.Name}/{guest.Name}" : $"{nm.Name}/{guest.Name}/{d.Name}", list.Count + 1, m, g, i));
            }
        }
        return list;
    }

    public Station? Find(string name) => Stations.FirstOrDefault(s => s.Name == name)
        ?? (Stations.Count(s => s.IsGuest && s.Name.EndsWith("/" + name, StringComparison.Ordinal) && s.Name.Count(c => c == '/') == 1) == 1
            ? Stations.First(s => s.IsGuest && s.Name.EndsWith("/" + name, StringComparison.Ordinal) && s.Name.Count(c => c == '/') == 1) : null);

    /// <summary>The guest stations a load's server patterns name ("all", or names with * standing for any characters).</summary>
    public IReadOnlyList<Station> Servers(IReadOnlyList<string> patterns) =>
        Stations.Where(s => s.IsGuest && patterns.Any(p => p == "all" || Matches(p, s.Name))).ToArray();

    public static bool Matches(string pattern, string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^" + string.Join(".*", pattern.Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + "$");

    /// <summary>Every machine's guests as one machine's, named "machine/guest", in machine order: what a run's programs report stands on (ProgramProgress).</summary>
    public MachineSpec ProgramView()
    {
        var first = Machines.FirstOrDefault(m => m.Machine != null)?.Machine;
        return new MachineSpec
        {
            Platform = first?.Platform ?? new PlatformSettings(),
            Guests = Machines.Where(m => m.Machine != null).SelectMany(m => m.Machine!.Guests.Select(g => g with { Name = $"{m.Name}/{g.Name}" })).ToArray(),
        };
    }
}
