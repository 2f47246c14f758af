namespace VirtCca.Tmm.Granules;

/// <summary>The state of one 4 KiB physical granule (RMM v1.0 §3.1).</summary>
public enum GranuleState
{
    Undelegated,
    Delegated,
    Rd,
    Rec,
    RecAux,
    Data,
    Rtt,
}
