namespace VirtCca.Kvm.Attacks;

/// <summary>
/// A realm's state at one instant, as the proof that an attack changed nothing: a checksum of every
/// protected page its RTT maps (the pool granules behind its DATA granules), a checksum of its RECs'
/// registers (GPRs, PC, runnable), its measurements, its state — and its own view: what its loads of
/// its first page return through its stage 2, and what its last RSI_MEASUREMENT_READ returned.
/// </summary>
public sealed record RealmSnapshot(ulong MemoryChecksum, int Pages, ulong RegisterChecksum, ulong MeasurementChecksum, string State,
    ulong FirstPageAsSeen, string LastMeasurementRead)
{
    /// <summary>Where two snapshots differ, in words; empty when they are equal.</summary>
    public string Difference(RealmSnapshot after)
    {
        var d = new List<string>();
        if (MemoryChecksum != after.MemoryChecksum || Pages != after.Pages) d.Add($"memory {MemoryChecksum:x16} ({Pages} pages) -> {after.MemoryChecksum:x16} ({after.Pages} pages)");
        if (RegisterChecksum != after.RegisterChecksum) d.Add($"registers {RegisterChecksum:x16} -> {after.RegisterChecksum:x16}");
        if (MeasurementChecksum != after.MeasurementChecksum) d.Add($"measurements {MeasurementChecksum:x16} -> {after.MeasurementChecksum:x16}");
        if (State != after.State) d.Add($"state {State} -> {after.State}");
        if (FirstPageAsSeen != after.FirstPageAsSeen) d.Add($"its view of its first page {FirstPageAsSeen:x16} -> {after.FirstPageAsSeen:x16}");
        if (LastMeasurementRead.Length > 0 && after.LastMeasurementRead.Length > 0 && LastMeasurementRead != after.LastMeasurementRead)
            d.Add($"RSI_MEASUREMENT_READ {LastMeasurementRead} -> {after.LastMeasurementRead}");
        return string.Join("; ", d);
    }
}
