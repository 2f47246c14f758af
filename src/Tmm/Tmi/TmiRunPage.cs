using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm;

/// <summary>
/// The run page in the REC's ABI: RMI's RmiRecRun, or TMI's tmi_tec_run (<see cref="TecRun"/>). The
/// core reads every entry as RMI's image and writes every exit from a <see cref="RecExit"/>, so a TEC's
/// page is translated on the way in and out — the same fields, laid out as the openEuler kernel expects.
/// </summary>
public sealed partial class Rmm
{
    private readonly RecEntry _tecEntry = new();
    private readonly byte[] _tecImage = new byte[Granule.Size];

    /// <summary>REC_ENTER's view of the entry half, as RMI lays it out (<see cref="RecEntry.FieldsEnd"/> bytes).</summary>
    private void ReadEntryImage(Rec r, ulong runPtr, byte[] image)
    {
        if (r.RunAbi == HostAbi.Rmi) { _dram.Read(runPtr, image); return; }
        _dram.Read(runPtr, _tecImage.AsSpan(0, TecRun.EntrySize));
        TecRun.ReadEntry(_tecImage, _tecEntry);
        _tecEntry.Write(image);
    }

    /// <summary>The exit record into the run page, in the REC's ABI.</summary>
    private void WriteExitRecord(Rec r, ulong runPtr, RecExit exit)
    {
        if (r.RunAbi == HostAbi.Rmi)
        {
            exit.Write(_exitImage, gapsAreZero: true); // _exitImage is written by nothing else
            _dram.Write(runPtr + RecExit.Offset, _exitImage);
            return;
        }
        TecRun.WriteExit(_tecImage, exit);
        _dram.Write(runPtr + TecRun.ExitOffset, _tecImage.AsSpan(0, TecRun.ExitSize));
    }
}
