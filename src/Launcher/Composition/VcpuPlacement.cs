namespace VirtCca.Launcher.Composition;

/// <summary>
/// Which PE each vCPU thread runs on: its pin if the guest gives one; else, when the machine's PE count
/// is left open, a PE of its own (vCPUs in guest order); else round-robin over the PEs in guest order —
/// several vCPUs then share a PE, time-sliced by the host scheduler.
/// </summary>
public sealed class VcpuPlacement
{
    private VcpuPlacement(int pes, int[][] peOf)
    {
        Pes = pes;
        PeOf = peOf;
        var onPe = new List<(int Guest, int Vcpu)>[pes];
        for (int p = 0; p < pes; p++) onPe[p] = new();
        for (int g = 0; g < peOf.Length; g++)
            for (int v = 0; v < peOf[g].Length; v++) onPe[peOf[g][v]].Add((g, v));
        OnPe = onPe;
    }

    public int Pes { get; }
    /// <summary>The PE index of each guest's vCPUs.</summary>
    public int[][] PeOf { get; }
    /// <summary>The vCPUs placed on each PE, in guest order.</summary>
    public IReadOnlyList<(int Guest, int Vcpu)>[] OnPe { get; }

    public IEnumerable<int> PesOfGuest(int guest) => PeOf[guest].Distinct().Order();

    public static VcpuPlacement Of(MachineSpec spec)
    {
        int total = spec.TotalVcpus;
        int pes = spec.Pes ?? Math.Max(total, spec.Guests.Where(g => g.Pins != null).SelectMany(g => g.Pins!).DefaultIfEmpty(-1).Max() + 1);
        if (pes < 1) throw new ArgumentException("a machine needs at least one PE");
        var peOf = new int[spec.Guests.Count][];
        int next = 0;
        for (int g = 0; g < spec.Guests.Count; g++)
        {
            var guest = spec.Guests[g];
            peOf[g] = new int[guest.Vcpus];
            if (guest.Pins is { } pins && pins.Count != guest.Vcpus)
                throw new ArgumentException($"guest {guest.Name}: {pins.Count} pins for {guest.Vcpus} vCPUs");
            for (int v = 0; v < guest.Vcpus; v++, next++)
            {
                int p = guest.Pins?[v] ?? next % pes;
                if (p < 0 || p >= pes) throw new ArgumentException($"guest {guest.Name}: vCPU {v} is pinned to PE {p}; the machine has PEs 0..{pes - 1}");
                peOf[g][v] = p;
            }
        }
        return new VcpuPlacement(pes, peOf);
    }

    /// <summary>
    /// The placement group of each guest: 0 is the shared group (GIC, TZASC, SMMU, devices, TMM). With
    /// <see cref="MachinePlacement.ByGuest"/>, guests that share a PE share a group (a vCPU must stay in
    /// its PE's partition), and realms join group 0 with the TMM they all call; the rest get groups 1, 2, ...
    /// </summary>
    public int[] GroupOfGuest(MachineSpec spec)
    {
        int n = spec.Guests.Count;
        var groups = new int[n];
        // A malicious host reaches into every guest's memory and tables: the machine stays one group.
        if (spec.Placement == MachinePlacement.OneGroup || spec.Host.Attacks.Count > 0) return groups;
        var root = Enumerable.Range(0, n + 1).ToArray(); // n stands for the shared group
        int Find(int x) { while (root[x] != x) x = root[x] = root[root[x]]; return x; }
        void Union(int a, int b)
        {
            a = Find(a); b = Find(b);
            if (a == b) return;
            int keep = a == n || b == n ? n : Math.Min(a, b); // the shared group stays its own root
            root[keep == a ? b : a] = keep;
        }
        // Realms share the TMM; guests with devices share the I/O parts (irqfd, backends, NVMe, NIC),
        // whose writes to guest rings must stay in the order of one partition.
        for (int g = 0; g < n; g++) if (spec.Guests[g].IsRealm || spec.Guests[g].Devices.Count > 0) Union(g, n);
        foreach (var onPe in OnPe)
            for (int i = 1; i < onPe.Count; i++) Union(onPe[0].Guest, onPe[i].Guest);
        var number = new Dictionary<int, int> { [Find(n)] = 0 };
        for (int g = 0; g < n; g++) // numbered in guest order, so the same config gives the same groups
        {
            int r = Find(g);
            if (!number.TryGetValue(r, out int id)) number[r] = id = number.Count;
            groups[g] = id;
        }
        return groups;
    }
}
