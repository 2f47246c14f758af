namespace VirtCca.Devices.Tzasc;

/// <summary>Access permissions of one TZC-400 region.</summary>
public readonly record struct RegionAccess(bool SecureRead, bool SecureWrite, bool NonSecureRead, bool NonSecureWrite)
{
    public static readonly RegionAccess SecureOnly = new(true, true, false, false);
    public static readonly RegionAccess All = new(true, true, true, true);

    public bool Permits(bool secure, bool write) => secure ? (write ? SecureWrite : SecureRead) : (write ? NonSecureWrite : NonSecureRead);
}

/// <summary>One region: [Base, Top), 4 KiB aligned.</summary>
public readonly record struct TzascRegion(bool Enabled, ulong Base, ulong Top, RegionAccess Access);

/// <summary>
/// A TZC-400-like address-space controller: a background region 0 covering everything plus a fixed
/// number of programmable regions; where regions overlap the highest-numbered enabled one decides.
/// Only secure-world writes may program it. Refusals are counted, never silent, whatever the
/// <see cref="Action"/> tells the requester.
/// </summary>
public sealed class Tzc400
{
    public const ulong Granule = 4096;
    private readonly TzascRegion[] _regions;

    /// <param name="regions">Programmable regions besides the background one (TZC-400: 8).</param>
    public Tzc400(int regions = 8, RegionAccess? background = null, TzcAction action = TzcAction.BusError)
    {
        Action = action;
        if (regions is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(regions), "1..64 regions");
        _regions = new TzascRegion[regions + 1];
        _regions[0] = new TzascRegion(true, 0, ulong.MaxValue, background ?? RegionAccess.All);
    }

    public int RegionCount => _regions.Length - 1;
    public TzascRegion Region(int i) => _regions[i];
    public long RefusedAccesses { get; private set; }
    public long RefusedProgramming { get; private set; }

    /// <summary>What a refused access gets back (the ACTION register).</summary>
    public TzcAction Action { get; private set; }

    /// <summary>Refused accesses that asserted the interrupt (the action's interrupt bit was set).</summary>
    public long InterruptsRaised { get; private set; }

    /// <summary>Writes the ACTION register; refused (and counted) from the non-secure world or with a value outside 0..3.</summary>
    public bool SetAction(TzcAction action, bool secure)
    {
        if (!secure || !Enum.IsDefined(action)) { RefusedProgramming++; return false; }
        Action = action;
        return true;
    }

    /// <summary>Programs region <paramref name="index"/> (1..N). Non-secure attempts, bad indices or unaligned bounds are refused.</summary>
    public bool Program(int index, TzascRegion region, bool secure, out string error)
    {
        error = !secure ? "only the secure world may program the TZASC"
            : index < 1 || index > RegionCount ? $"region {index} is not in 1..{RegionCount} (0 is the background region)"
            : region.Base % Granule != 0 || region.Top % Granule != 0 ? "region bounds must be 4 KiB aligned"
            : region.Enabled && region.Top <= region.Base ? "region top must be above its base"
            : "";
        if (error.Length > 0) { RefusedProgramming++; return false; }
        _regions[index] = region;
        return true;
    }

    /// <summary>Whether a transaction of <paramref name="size"/> bytes at <paramref name="address"/> is permitted, page by page.</summary>
    public bool Check(ulong address, ulong size, bool secure, bool write)
    {
        ulong last = size == 0 ? address : address + size - 1;
        for (ulong page = address & ~(Granule - 1); ; page += Granule)
        {
            if (!RegionFor(page).Access.Permits(secure, write)) { Refuse(); return false; }
            if (page >= (last & ~(Granule - 1))) return true;
        }
    }

    private void Refuse()
    {
        RefusedAccesses++;
        if (Action.RaisesInterrupt()) InterruptsRaised++;
    }

    /// <summary>The region that decides an address: the highest-numbered enabled region containing it.</summary>
    public TzascRegion RegionFor(ulong address)
    {
        for (int i = _regions.Length - 1; i > 0; i--)
        {
            var r = _regions[i];
            if (r.Enabled && address >= r.Base && address < r.Top) return r;
        }
        return _regions[0];
    }
}
