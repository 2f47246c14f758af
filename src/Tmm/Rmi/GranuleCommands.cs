using VirtCca.Tmm.Granules;

namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>
    /// RMI_GRANULE_DELEGATE. Checks gran_align → gran_bound → gran_state → gran_gpt. On virtCCA the
    /// "PAS change" is taking a pool granule to back the NS one: an exhausted pool refuses it like
    /// EL3 refusing a GPT change (ERROR_INPUT, reason in <see cref="LastError"/>). The NS page is
    /// scrubbed, so nothing the host left there survives into, or out of, the Realm world.
    /// </summary>
    private SmcResult GranuleDelegate(ulong addr)
    {
        if (DelegationArg(addr, GranuleState.Undelegated) is { } refused) return Input(refused);
        if (!_secure.TryAllocate(out var secure, out var why)) return Input(why);
        _dram.Zero(addr, Granule.Size);
        _granules.Delegate(addr, secure);
        return SmcResult.Success;
    }

    /// <summary>RMI_GRANULE_UNDELEGATE: gran_align → gran_bound → gran_state (must be DELEGATED). The pool granule is scrubbed and freed.</summary>
    private SmcResult GranuleUndelegate(ulong addr)
    {
        if (DelegationArg(addr, GranuleState.Delegated) is { } why) return Input(why);
        _secure.Free(_granules.Undelegate(addr));
        return SmcResult.Success;
    }

    /// <summary>gran_align → gran_bound → gran_state of DELEGATE / UNDELEGATE's address: why it is refused, or null.</summary>
    private string? DelegationArg(ulong addr, GranuleState from)
    {
        if (AlignedInDram("addr", addr, "delegable DRAM") is { } why) return why;
        var state = _granules.StateOf(addr);
        return state == from ? null : $"granule {Hex(addr)} is {state}, not {from.ToString().ToUpperInvariant()}";
    }

    /// <summary>The alignment and bound checks a granule address argument starts with: why it fails, or null.</summary>
    private string? AlignedInDram(string name, ulong pa, string dram = "DRAM")
    {
        if (!_granules.IsAligned(pa)) return $"{name} {Hex(pa)} is not 4 KiB aligned";
        if (!_granules.InDram(pa)) return $"{name} {Hex(pa)} is outside {dram}";
        return null;
    }

    /// <summary>A page the host passes by address (params, src): aligned, in DRAM, still the normal world's. Why not, or null.</summary>
    private string? HostPageArg(string name, ulong pa) =>
        AlignedInDram(name, pa) ?? (_granules.StateOf(pa) != GranuleState.Undelegated ? $"{name} {Hex(pa)} is not in normal-world memory" : null);

    /// <summary>A granule goes back to DELEGATED: its backing pool granule is zeroed (DELEGATED always reads as zero).</summary>
    private void ReturnToDelegated(ulong pa)
    {
        _secure.Scrub(_granules.SecureOf(pa));
        _granules.Set(pa, GranuleState.Delegated);
    }
}
