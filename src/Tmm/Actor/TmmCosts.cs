using System.Globalization;
using VirtCca.Interconnect;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Actor;

/// <summary>
/// What an RMI command costs inside the TMM, in cycles at the TMM's core frequency. Defaults from
/// ../shared/spec/costs.md §8.2 (all "assumed" there): `tmm.cmd_base` 300 per command,
/// `tmm.data_create_4k` 1365 for a 4 KiB DATA_CREATE (the base plus the copy), `tmm.ttt_level` 50
/// per table level a structure command touches.
/// </summary>
public sealed record TmmCosts
{
    public long FrequencyHz { get; init; } = 2_600_000_000;
    public long CommandBaseCycles { get; init; } = 300;
    /// <summary>`tmm.entry_marshal`: REC_ENTER loads the REC and the host's list registers and erets into the Realm.</summary>
    public long EntryMarshalCycles { get; init; } = 500;
    /// <summary>`tmm.exit_marshal`: a Realm exit saves the REC and fills the exit record.</summary>
    public long ExitMarshalCycles { get; init; } = 500;
    /// <summary>Extra cycles per command, by function id (beyond the base).</summary>
    public IReadOnlyDictionary<ulong, long> ExtraCycles { get; init; } = new Dictionary<ulong, long>
    {
        [RmiFid.DataCreate] = 1_065,
        [RmiFid.RttCreate] = 50,
        [RmiFid.RttDestroy] = 50,
        [RmiFid.RttFold] = 50,
    };

    public SimTime Cycles(long cycles) => SimTime.FromCycles(cycles, FrequencyHz);

    public SimTime Of(ulong fid)
    {
        long cycles = CommandBaseCycles + (ExtraCycles.TryGetValue(fid, out var extra) ? extra : 0);
        return SimTime.FromCycles(cycles, FrequencyHz);
    }

    /// <summary>
    /// Reads costs from HOCON: <c>frequency-hz</c>, <c>cmd-base-cycles</c>, <c>entry-marshal-cycles</c>, <c>exit-marshal-cycles</c> and an <c>extra-cycles</c>
    /// object keyed by function id in hex (e.g. <c>"0xC4000153" = 1065</c>); missing keys keep the defaults.
    /// </summary>
    public static TmmCosts From(Akka.Configuration.Config config)
    {
        var costs = new TmmCosts();
        if (config.HasPath("frequency-hz")) costs = costs with { FrequencyHz = config.GetLong("frequency-hz") };
        if (config.HasPath("cmd-base-cycles")) costs = costs with { CommandBaseCycles = config.GetLong("cmd-base-cycles") };
        if (config.HasPath("entry-marshal-cycles")) costs = costs with { EntryMarshalCycles = config.GetLong("entry-marshal-cycles") };
        if (config.HasPath("exit-marshal-cycles")) costs = costs with { ExitMarshalCycles = config.GetLong("exit-marshal-cycles") };
        if (config.HasPath("extra-cycles"))
        {
            var extra = new Dictionary<ulong, long>(costs.ExtraCycles);
            foreach (var (key, value) in config.GetConfig("extra-cycles").Root.GetObject().Items)
            {
                var hex = key.Trim('"');
                if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !ulong.TryParse(hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var fid))
                    throw new ArgumentException($"extra-cycles key '{key}' is not a function id like \"0xC4000153\"");
                extra[fid] = value.GetLong();
            }
            costs = costs with { ExtraCycles = extra };
        }
        if (costs.FrequencyHz <= 0) throw new ArgumentException($"frequency-hz {costs.FrequencyHz} must be positive");
        return costs;
    }
}
