using System.Globalization;
using VirtCca.Devices.Load;

namespace VirtCca.Launcher.Composition.Network;

public sealed partial class NetworkModel
{
    private const string Unfinished = "program.unfinished.vcpu";

    /// <summary>
    /// The machines' metrics added up (a machine's <c>guest.G.…</c> become <c>guest.M/G.…</c>; its
    /// unfinished programs are numbered across the network, machine by machine), then the load:
    /// per client, per server station, by server kind (realm or VM) and in total — counts, spans and
    /// latency histograms, all summable (percentiles and rates are derived after the sum).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, double>> Metrics()
    {
        var order = new List<string>();
        var totals = new Dictionary<string, double>();
        var guests = new List<KeyValuePair<string, double>>();
        var unfinished = new List<KeyValuePair<string, double>>();
        int vcpus = 0;
        for (int i = 0; i < _machines.Length; i++)
        {
            if (_machines[i] is not { } machine) continue;
            string name = Spec.Machines[i].Name;
            foreach (var (k, v) in new MachineModel(machine).Metrics())
            {
                if (k.StartsWith(Unfinished, StringComparison.Ordinal))
                {
                    int dot = k.IndexOf('.', Unfinished.Length);
                    int index = int.Parse(k.AsSpan(Unfinished.Length, dot - Unfinished.Length), CultureInfo.InvariantCulture);
                    unfinished.Add(new($"{Unfinished}{index + vcpus}{k[dot..]}", v));
                }
                else if (k.StartsWith("guest.", StringComparison.Ordinal)) guests.Add(new($"guest.{name}/{k["guest.".Length..]}", v));
                else
                {
                    if (!totals.ContainsKey(k)) { order.Add(k); totals[k] = 0; }
                    totals[k] += v;
                }
            }
            vcpus += machine.Spec.TotalVcpus;
        }
        var m = order.Select(k => new KeyValuePair<string, double>(k, totals[k])).ToList();
        m.AddRange(guests);
        AddLoad(m);
        AddNetwork(m);
        m.AddRange(unfinished);
        return m;
    }

    private void AddLoad(List<KeyValuePair<string, double>> m)
    {
        var clients = Spec.Machines.Select((nm, i) => (nm, i)).Where(x => x.nm.Load != null).ToArray();
        if (clients.Length == 0) return;
        void Add(string k, double v) => m.Add(new(k, v));
        void Histogram(string prefix, LatencyHistogram h) { foreach (var kv in h.ToMetrics(prefix)) m.Add(kv); }
        var byServer = new Dictionary<int, (long Completed, LatencyHistogram Latency)>();
        var total = new LatencyHistogram();
        long sent = 0;
        foreach (var (nm, i) in clients)
        {
            var g = Generators.ElementAtOrDefault(i);
            string p = $"load.client.{nm.Name}";
            Add(p + ".sent", g?.Sent ?? 0);
            Add(p + ".completed", g?.Completed ?? 0);
            Add(p + ".unmatched", g?.Unmatched ?? 0);
            Add(p + ".first_ps", g is { Sent: > 0 } ? g.FirstSend.Picoseconds : 0);
            Add(p + ".last_ps", g is { Completed: > 0 } ? g.LastAnswer.Picoseconds : 0);
            Histogram(p + ".latency", g?.Total ?? new LatencyHistogram());
            if (g == null) continue;
            sent += g.Sent;
            total.Add(g.Total);
            foreach (var (address, h) in g.PerServer)
            {
                var (c, l) = byServer.GetValueOrDefault(address, (0, new LatencyHistogram()));
                l.Add(h);
                byServer[address] = (c + h.Count, l);
            }
        }
        var kinds = new Dictionary<string, (long Completed, LatencyHistogram Latency)> { ["realm"] = (0, new()), ["vm"] = (0, new()) };
        foreach (var s in Spec.Stations.Where(s => s.IsGuest))
        {
            var (c, l) = byServer.GetValueOrDefault(s.Address, (0, new LatencyHistogram()));
            if (!Spec.Machines.Any(x => x.Load != null && Spec.Servers(x.Load.Servers).Contains(s))) continue;
            Add($"load.server.{s.Name}.completed", c);
            Histogram($"load.server.{s.Name}.latency", l);
            string kind = Spec.Machines[s.Machine].Machine!.Guests[s.Guest].IsRealm ? "realm" : "vm";
            kinds[kind].Latency.Add(l);
            kinds[kind] = (kinds[kind].Completed + c, kinds[kind].Latency);
        }
        foreach (var (kind, (c, l)) in kinds)
        {
            Add($"load.{kind}.completed", c);
            Histogram($"load.{kind}.latency", l);
        }
        Add("load.total.sent", sent);
        Add("load.total.completed", total.Count);
        Histogram("load.total.latency", total);
    }

    private void AddNetwork(List<KeyValuePair<string, double>> m)
    {
        var sw = SwitchActor;
        m.Add(new("network.switch.frames_forwarded", sw?.FramesForwarded ?? 0));
        m.Add(new("network.switch.frames_dropped", sw?.FramesDropped ?? 0));
        m.Add(new("network.switch.max_queueing_ps", sw?.MaxQueueing.Picoseconds ?? 0));
        m.Add(new("network.client_nics.frames_sent", ClientNics.Sum(n => n?.FramesSent ?? 0)));
        m.Add(new("network.client_nics.frames_dropped", ClientNics.Sum(n => n?.FramesDropped ?? 0)));
    }
}
