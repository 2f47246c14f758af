namespace VirtCca.Devices.Tzasc;

/// <summary>
/// TZC-400's ACTION register: what a refused access gets. Bit 0 chooses the response (0: OKAY with
/// reads as zero and writes ignored, 1: DECERR/SLVERR, i.e. a bus error), bit 1 raises the
/// interrupt. The values are the register's encoding (TF-A: TZC_ACTION_NONE/ERR/INT/ERR_INT).
/// Either way the access is refused: nothing is read from or written to DRAM.
/// </summary>
public enum TzcAction { RazWi = 0, BusError = 1, RazWiInterrupt = 2, BusErrorInterrupt = 3 }

public static class TzcActions
{
    public static bool IsBusError(this TzcAction a) => ((int)a & 1) != 0;
    public static bool RaisesInterrupt(this TzcAction a) => ((int)a & 2) != 0;

    /// <summary>The configuration names: bus-error, raz-wi, bus-error+interrupt, raz-wi+interrupt.</summary>
    public static TzcAction Parse(string name) => name switch
    {
        "bus-error" => TzcAction.BusError,
        "raz-wi" => TzcAction.RazWi,
        "bus-error+interrupt" => TzcAction.BusErrorInterrupt,
        "raz-wi+interrupt" => TzcAction.RazWiInterrupt,
        _ => throw new ArgumentException($"'{name}' is not a TZASC action (bus-error, raz-wi, bus-error+interrupt, raz-wi+interrupt)"),
    };
}
