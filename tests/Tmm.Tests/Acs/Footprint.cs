using System.Security.Cryptography;
using VirtCca.Tmm.Rtts;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>
/// Everything a command could change, as lines: every delegated granule's state; every Realm's state,
/// REC counts, measurements and RTT entries; every REC's context; every host page the host handed
/// out. A failing command must leave it as it was (the ACS checks the RTT entries; this checks all).
/// A failing call from inside a Realm is judged on the granules and Realms only (realmsOnly):
/// the calling REC has run and exited, so its context and run page have changed by design.
/// </summary>
internal static class Footprint
{
    public static List<string> Of(AcsHost host, bool realmsOnly = false)
    {
        var rmm = host.Rmm;
        var lines = new List<string>();
        foreach (var (pa, state) in rmm.DelegatedGranules.OrderBy(g => g.Pa)) lines.Add($"granule 0x{pa:X} {state}");
        foreach (var realm in rmm.Realms.OrderBy(r => r.Rd))
        {
            lines.Add($"realm 0x{realm.Rd:X} {realm.State} live {realm.LiveRecs} rec_count {realm.NextRecIndex} vmid {realm.Vmid} " +
                string.Join(" ", Enumerable.Range(0, 5).Select(i => Convert.ToHexString(realm.Measurement.Value(i)))));
            Tables(realm.Root, lines);
        }
        if (realmsOnly) return lines;
        foreach (var (pa, _) in rmm.DelegatedGranules.Where(g => g.State == Granules.GranuleState.Rec).OrderBy(g => g.Pa))
        {
            var r = rmm.RecAt(pa)!;
            lines.Add($"rec 0x{pa:X} index {r.Index} runnable {r.Runnable} pc 0x{r.Pc:X} gprs {string.Join(",", r.Gprs)} psci {r.PsciPending} " +
                $"ripas {r.PendingRipas} hostcall {r.PendingHostCall} abort {r.LastAbort != null} attest {r.Attestation?.Remaining} running {r.RunningWith} outcomes {r.Program.Log.Count}");
        }
        var page = new byte[4096];
        for (ulong g = rmm.Config.DramBase; g < host.HostEnd; g += 4096)
        {
            if (rmm.GranuleStateOf(g) != Granules.GranuleState.Undelegated) continue;
            rmm.HostMemory.Read(g, page);
            if (page.AsSpan().IndexOfAnyExcept((byte)0) >= 0) lines.Add($"host page 0x{g:X} {Convert.ToHexString(SHA256.HashData(page))}");
        }
        return lines;
    }

    private static void Tables(Rtt t, List<string> lines)
    {
        var entries = new System.Text.StringBuilder();
        foreach (var e in t.Entries) entries.Append($"{(int)e.Hipas}{(int)e.Ripas}:{e.Address:X};");
        lines.Add($"  rtt 0x{t.Pa:X} level {t.Level} base 0x{t.Base:X} {Convert.ToHexString(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(entries.ToString())))}");
        foreach (var e in t.Entries) if (e.Hipas == Hipas.Table) Tables(e.Child!, lines);
    }
}
