using System.Text.Json;
using VirtCca.Kvm.Attacks;

namespace VirtCca.Launcher.Results;

/// <summary>
/// A run's attacks as results.json, the console and summary.csv show them: every attempt with its
/// verdict, the component that refused it and how, and the victim realm's state before and after. An
/// attack that succeeded is a finding: the console says so on stderr and the run exits with code 3.
/// </summary>
public static class AttackReport
{
    public const int FindingExitCode = 3;

    public static string VerdictName(Verdict v) => v switch
    {
        Verdict.Refused => "refused",
        Verdict.NotApplicable => "not-applicable",
        Verdict.Allowed => "allowed",
        _ => "succeeded",
    };

    public static void WriteJson(Utf8JsonWriter w, IReadOnlyList<AttackOutcome> attacks, int planned)
    {
        w.WriteStartObject("attackSummary");
        w.WriteNumber("planned", planned);
        foreach (var v in Enum.GetValues<Verdict>()) w.WriteNumber(VerdictName(v), attacks.Count(a => a.Verdict == v));
        w.WriteNumber("notReached", planned - attacks.Count);
        w.WriteEndObject();
        w.WriteStartArray("attacks");
        foreach (var a in attacks)
        {
            w.WriteStartObject();
            w.WriteNumber("index", a.Index);
            w.WriteString("attack", a.Attack);
            w.WriteString("variant", a.Variant);
            w.WriteString("victim", a.Victim);
            w.WriteNumber("startPicoseconds", a.StartPicoseconds);
            w.WriteNumber("endPicoseconds", a.EndPicoseconds);
            w.WriteString("verdict", VerdictName(a.Verdict));
            w.WriteString("refusedBy", a.Verdict == Verdict.Refused ? a.Result.Component : "");
            w.WriteString("how", a.Result.How);
            if (a.Before != null) Snapshot(w, "realmBefore", a.Before);
            if (a.After != null) Snapshot(w, "realmAfter", a.After);
            if (a.Before != null && a.After != null) w.WriteBoolean("realmUnchanged", a.Before.Difference(a.After).Length == 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Snapshot(Utf8JsonWriter w, string name, RealmSnapshot s)
    {
        w.WriteStartObject(name);
        w.WriteString("memoryChecksum", s.MemoryChecksum.ToString("x16"));
        w.WriteNumber("pages", s.Pages);
        w.WriteString("registerChecksum", s.RegisterChecksum.ToString("x16"));
        w.WriteString("measurementChecksum", s.MeasurementChecksum.ToString("x16"));
        w.WriteString("state", s.State);
        w.WriteString("firstPageAsSeen", s.FirstPageAsSeen.ToString("x16"));
        w.WriteString("lastMeasurementRead", s.LastMeasurementRead);
        w.WriteEndObject();
    }

    /// <summary>The console: one line per attempt, then the findings (on <paramref name="error"/>) and what never ran.</summary>
    public static void Write(TextWriter output, TextWriter error, IReadOnlyList<AttackOutcome> attacks, int planned)
    {
        foreach (var a in attacks) output.WriteLine($"attack {a.Index}: {a}");
        output.WriteLine($"attacks: {planned} planned, {string.Join(", ", Enum.GetValues<Verdict>().Select(v => $"{attacks.Count(a => a.Verdict == v)} {VerdictName(v)}"))}"
            + (attacks.Count < planned ? $", {planned - attacks.Count} not reached (the run ended first)" : ""));
        foreach (var a in attacks.Where(a => a.Verdict == Verdict.Succeeded))
            error.WriteLine($"FINDING: attack {a.Index} {a.Name} on {a.Victim} SUCCEEDED: {a.Result.How}");
    }

    /// <summary>summary.csv's attack columns of one run's results.json: ("attack.3.read-delegated/pool-address", "refused by TZASC: ...").</summary>
    public static IEnumerable<(string Column, string Cell)> Cells(JsonDocument? json)
    {
        if (json == null || !json.RootElement.TryGetProperty("attacks", out var list)) yield break;
        foreach (var a in list.EnumerateArray())
        {
            string S(string p) => a.GetProperty(p).GetString() ?? "";
            string variant = S("variant");
            string verdict = S("verdict");
            yield return ($"attack.{a.GetProperty("index").GetInt32()}.{S("attack")}{(variant.Length > 0 ? "/" + variant : "")}",
                verdict == "refused" ? $"refused by {S("refusedBy")}: {S("how")}" : $"{verdict}: {S("how")}");
        }
    }

    public static bool AnySucceeded(IReadOnlyList<AttackOutcome>? attacks) => attacks?.Any(a => a.Verdict == Verdict.Succeeded) ?? false;
}
