using VirtCca.Devices.Load;
using VirtCca.Devices.Network;
using VirtCca.Interconnect;
using VirtCca.Interconnect.Engine;
using VirtCca.Launcher.Composition.Io;

namespace VirtCca.Launcher.Composition.Network;

/// <summary>
/// Machines on a switch as one kernel model. The switch is component 0; each server machine is built
/// as on its own (<see cref="Machine"/>) and included whole — its own placement group, so it stays in
/// one partition and one process whatever the partition or node count, since its components share
/// objects (memory, KVM's guest structures, the TMM) — with its components shifted
/// (<see cref="ShiftedComponent"/>); each client machine (a load generator and its NIC) is a group of
/// its own. Only NIC–switch links join groups, so they bound the windows.
/// </summary>
public sealed partial class NetworkModel : ISimulationModel, IReportsMetrics
{
    public const int Switch = 0;
    private readonly Machine?[] _machines;
    private readonly int[] _offsets, _clientNics, _machineNics;
    private Run? _run;

    public NetworkModel(NetworkSpec spec)
    {
        Spec = spec;
        int n = spec.Machines.Count;
        _machines = new Machine?[n];
        _offsets = new int[n];
        _clientNics = new int[n];
        _machineNics = new int[n];
        Array.Fill(_clientNics, -1);
        Array.Fill(_machineNics, -1);
        var b = new Topology.Builder();
        b.Add("switch");
        var nics = new List<int>();
        for (int m = 0; m < n; m++)
        {
            var nm = spec.Machines[m];
            if (nm.Machine is { } ms)
            {
                int offset = b.Count;
                var stations = spec.Stations.Where(s => s.Machine == m).ToArray();
                var network = new MachineNetwork(Switch - offset, spec.Links.LinkLatency,
                    (guest, device) => stations.First(s => s.IsGuest && ms.Guests[s.Guest].Name == guest && ms.Guests[s.Guest].Devices[s.Device].Name == device).Address,
                    name => spec.Find(name)?.Address, stations.First(s => !s.IsGuest).Address);
                var machine = new Machine(ms, network: network);
                _machines[m] = machine;
                _offsets[m] = b.Include(machine.Topology, nm.Name + ".");
                if (machine.IoParts.NicId >= 0) nics.Add(_machineNics[m] = _offsets[m] + machine.IoParts.NicId);
                continue;
            }
            _offsets[m] = b.Add($"{nm.Name}.load");
            _clientNics[m] = b.Add($"{nm.Name}.nic", _offsets[m]);
            b.Link(_offsets[m], _clientNics[m], nm.PcieLink);
            nics.Add(_clientNics[m]);
        }
        if (nics.Count > 0) b.LinkToHub(Switch, nics, spec.Links.LinkLatency, name: "NIC-switch links");
        Topology = b.Build();
        Name = $"network-{n}";
    }

    public NetworkSpec Spec { get; }
    public string Name { get; }
    public Topology Topology { get; }
    public IReadOnlyList<Machine?> Machines => _machines;

    /// <summary>The components of the last run (the model makes fresh ones and fresh machine state for every run).</summary>
    public SwitchActor? SwitchActor => _run?.Switch;
    public IReadOnlyList<LoadGeneratorActor?> Generators => _run?.Generators ?? [];
    public IReadOnlyList<NicActor?> ClientNics => _run?.Nics ?? [];

    public Component CreateComponent(int id)
    {
        if (_run == null || _run.Created.Contains(id)) _run = new Run(Spec.Machines.Count);
        _run.Created.Add(id);
        if (id == Switch) return _run.Switch = new SwitchActor(Spec.Links.Switch, Ports());
        for (int m = Spec.Machines.Count - 1; m >= 0; m--)
        {
            if (id < _offsets[m]) continue;
            var nm = Spec.Machines[m];
            if (_machines[m] is { } machine) return new ShiftedComponent(machine.Model.CreateComponent(id - _offsets[m]), _offsets[m]);
            var station = Spec.Stations.First(s => s.Machine == m);
            if (id == _clientNics[m])
                return _run.Nics[m] = new NicActor(nm.Nic with { Address = station.Address }, _offsets[m], Switch);
            var load = nm.Load!;
            var settings = load.Settings with { Address = station.Address, Servers = Spec.Servers(load.Servers).Select(s => s.Address).ToArray() };
            return _run.Generators[m] = new LoadGeneratorActor(settings, _clientNics[m]);
        }
        throw new InvalidOperationException($"component {id} is not part of the network");
    }

    /// <summary>Station → the NIC on the switch port it sits behind.</summary>
    private Dictionary<int, int> Ports()
    {
        var ports = new Dictionary<int, int>();
        foreach (var s in Spec.Stations)
        {
            int nic = Spec.Machines[s.Machine].Machine != null ? _machineNics[s.Machine] : _clientNics[s.Machine];
            if (nic >= 0) ports[s.Address] = nic;
        }
        return ports;
    }

    /// <summary>One run's components outside the machines (which keep their own run state).</summary>
    private sealed class Run(int machines)
    {
        public readonly HashSet<int> Created = new();
        public SwitchActor? Switch;
        public readonly LoadGeneratorActor?[] Generators = new LoadGeneratorActor?[machines];
        public readonly NicActor?[] Nics = new NicActor?[machines];
    }
}
