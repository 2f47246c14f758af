using VirtCca.Devices.Smmu;
using VirtCca.Devices.Tzasc;
using VirtCca.Kvm.Attacks;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Memory;
using VirtCca.Tmm.Recs;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// The security experiment's view of one machine's run (<see cref="IPlatformProbe"/>): the TMM's
/// granule table for normal-world CPU accesses by address, its RTTs for where a realm's pages live, and
/// checksums of realm state. Without a TMM (baseline) the normal world owns all of DRAM.
/// </summary>
internal sealed class MachineProbe(Rmm? rmm, PhysicalMemory memory, MemoryLayout layout, Func<TzascActor?> tzasc, Func<SmmuActor?> smmu) : IPlatformProbe
{
    public bool HasTmm => rmm != null;
    public (ulong Base, ulong Top) SecurePool => (layout.Rmm.SecurePoolBase, layout.SecurePoolTop);

    public string? HostRead(ulong pa, Span<byte> data)
    {
        if (rmm == null) { memory.Read(pa, data); return null; }
        try { rmm.HostMemory.Read(pa, data); return null; }
        catch (GranuleProtectionFault f) { return f.Message; }
    }

    public string? HostWrite(ulong pa, ReadOnlySpan<byte> data)
    {
        if (rmm == null) { memory.Write(pa, data); return null; }
        try { rmm.HostMemory.Write(pa, data); return null; }
        catch (GranuleProtectionFault f) { return f.Message; }
    }

    public IReadOnlyList<(ulong Ipa, ulong Granule, ulong Backing)> DataPages(KvmGuest guest) =>
        rmm != null && guest.Realm is { } r ? rmm.DataPages(r.Rd).ToList() : [];

    public bool RecRunning(ulong rec) => rmm?.RecAt(rec)?.RunningWith != null;

    public byte[] ReadAsRealm(KvmGuest guest, ulong ipa, int length)
    {
        var buf = new byte[length];
        if (rmm != null && guest.Realm is { } r && rmm.Translate(r.Rd, ipa, out var pa, out _)) memory.Read(pa, buf);
        return buf;
    }

    public RealmSnapshot? Snapshot(KvmGuest guest)
    {
        if (rmm == null || guest.Realm is not { } layoutOf || rmm.RealmOf(layoutOf.Rd) is not { } realm) return null;
        var pages = rmm.DataPages(realm.Rd).ToList();
        var mem = new Fnv();
        foreach (var (ipa, _, backing) in pages) { mem.Add(ipa); mem.Add(memory.Checksum(backing, Granule.Size)); }
        var regs = new Fnv();
        string lastRead = "";
        foreach (var rec in rmm.RecsOf(realm.Rd))
        {
            regs.Add((ulong)rec.Index); regs.Add(rec.Pc); regs.Add(rec.Runnable ? 1UL : 0UL);
            foreach (var x in rec.Gprs) regs.Add(x);
            if (rec.Program.Log.LastOrDefault(o => o.Step is GuestStep.Smc { Fid: RsiFid.MeasurementRead }) is { } read)
                lastRead = string.Join(" ", read.Registers.Take(5).Select(x => x.ToString("x")));
        }
        var measurements = new Fnv();
        for (int i = 0; i < 5; i++) foreach (var b in realm.Measurement.Value(i)) measurements.Add(b);
        ulong first = pages.Count > 0 ? Checksum(ReadAsRealm(guest, pages[0].Ipa, (int)Granule.Size)) : 0;
        return new RealmSnapshot(mem.Value, pages.Count, regs.Value, measurements.Value, realm.State.ToString(), first, lastRead);
    }

    public long TzascRefusedAccesses => tzasc()?.Controller.RefusedAccesses ?? 0;
    public long TzascRefusedProgramming => tzasc()?.Controller.RefusedProgramming ?? 0;
    public long SmmuRefusedSecureConfiguration => smmu()?.Table.RefusedSecureConfiguration ?? 0;
    public int SmmuFaults => smmu()?.Table.EventQueue.Count ?? 0;

    private static ulong Checksum(byte[] bytes)
    {
        var f = new Fnv();
        foreach (var b in bytes) f.Add(b);
        return f.Value;
    }

    /// <summary>64-bit FNV-1a over bytes and words (little endian).</summary>
    private sealed class Fnv
    {
        public ulong Value { get; private set; } = 0xCBF29CE484222325UL;
        public void Add(byte b) => Value = (Value ^ b) * 0x100000001B3UL;
        public void Add(ulong word) { for (int i = 0; i < 8; i++) Add((byte)(word >> (8 * i))); }
    }
}
