using VirtCca.Tmm.Granules;
using VirtCca.Tmm.Rmi;

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
        if (!_granules.IsAligned(addr)) return Input($"addr {Hex(addr)} is not 4 KiB aligned");
        if (!_granules.InDram(addr)) return Input($"addr {Hex(addr)} is outside delegable DRAM");
        if (_granules.StateOf(addr) != GranuleState.Undelegated) return Input($"granule {Hex(addr)} is {_granules.StateOf(addr)}, not UNDELEGATED");
        if (!_secure.TryAllocate(out var secure, out var why)) return Input(why);
        _dram.Scrub(addr);
        _granules.Delegate(addr, secure);
        return SmcResult.Success;
    }

    /// <summary>RMI_GRANULE_UNDELEGATE: gran_align → gran_bound → gran_state (must be DELEGATED). The pool granule is scrubbed and freed.</summary>
    private SmcResult GranuleUndelegate(ulong addr)
    {
        if (!_granules.IsAligned(addr)) return Input($"addr {Hex(addr)} is not 4 KiB aligned");
        if (!_granules.InDram(addr)) return Input($"addr {Hex(addr)} is outside delegable DRAM");
        if (_granules.StateOf(addr) != GranuleState.Delegated) return Input($"granule {Hex(addr)} is {_granules.StateOf(addr)}, not DELEGATED");
        _secure.Free(_granules.Undelegate(addr));
        return SmcResult.Success;
    }

    /// <summary>A granule goes back to DELEGATED: its backing pool granule is zeroed (DELEGATED always reads as zero).</summary>
    private void ReturnToDelegated(ulong pa)
    {
        _secure.Scrub(_granules.SecureOf(pa));
        _granules.Set(pa, GranuleState.Delegated);
    }
}
