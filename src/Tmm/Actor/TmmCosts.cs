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

    /// <summary>
    /// TMI_TTT_MAP_RANGE, per level-3 table it fills (2 MiB of cVM memory), assumed: `tmm.ttt_level` for
    /// the table and <see cref="DescriptorCycles"/> for each of its 512 descriptors. Scrubbing the pages
    /// is not charged, as it is not for RMI's GRANULE_DELEGATE.
    /// </summary>
    public long MapRangeBlockCycles { get; init; } = MapRangeBlock(50);

    /// <summary>Writing one stage-2 descriptor (assumed: a store, 4 cycles).</summary>
    public const long DescriptorCycles = 4;
    public static long MapRangeBlock(long tableLevelCycles) => tableLevelCycles + 512 * DescriptorCycles;

    public SimTime Of(ulong fid) => Of(fid, 0);

    /// <param name="blocks">The call's units of scaled work (<see cref="Rmm.LastCallBlocks"/>: the tables TTT_MAP_RANGE filled).</param>
    public SimTime Of(ulong fid, long blocks)
    {
        long cycles = CommandBaseCycles + (ExtraCycles.TryGetValue(fid, out var extra) ? extra : 0) + blocks * MapRangeBlockCycles;
        return SimTime.FromCycles(cycles, FrequencyHz);
    }
}
