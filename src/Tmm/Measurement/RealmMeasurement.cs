namespace VirtCca.Tmm.Measurement;

/// <summary>
/// A Realm's five measurement slots (RMM v1.0 §6.2): index 0 the RIM, 1..4 the REMs, each the size of
/// the Realm's hash. The RIM is extended by the host's RMI calls until activation and never after;
/// REMs by the Realm itself through RSI_MEASUREMENT_EXTEND.
/// </summary>
public sealed class RealmMeasurement
{
    private readonly byte[][] _slots;

    public RealmMeasurement(RmiHashAlgorithm algorithm)
    {
        Algorithm = algorithm;
        _slots = Enumerable.Range(0, 5).Select(_ => new byte[algorithm.Size()]).ToArray();
    }

    public RmiHashAlgorithm Algorithm { get; }

    /// <summary>Set by REALM_ACTIVATE: from then on the RIM is immutable.</summary>
    public bool Sealed { get; private set; }

    public ReadOnlySpan<byte> Rim => _slots[0];

    /// <summary>RIM := H(realm params image) — the first extension, at REALM_CREATE.</summary>
    public void MeasureRealmCreate(ulong flags, byte s2sz, byte sveVl, byte numBps, byte numWps, byte pmuNumCtrs) =>
        SetRim(Algorithm.Hash(MeasurementDescriptors.RealmParamsImage(flags, s2sz, sveVl, numBps, numWps, pmuNumCtrs, Algorithm)));

    /// <summary>DATA_CREATE: the content is hashed only when flags = RMI_MEASURE_CONTENT.</summary>
    public void MeasureData(ulong ipa, ulong flags, ReadOnlySpan<byte> content)
    {
        Span<byte> contentHash = stackalloc byte[64];
        contentHash.Clear();
        if (flags == MeasurementDescriptors.MeasureContent) Algorithm.Hash(content).CopyTo(contentHash);
        SetRim(Algorithm.Hash(MeasurementDescriptors.Data(Rim, ipa, flags, contentHash)));
    }

    /// <summary>REC_CREATE of a runnable REC (a REC created not runnable is not measured).</summary>
    public void MeasureRec(ulong flags, ulong pc, ReadOnlySpan<ulong> gprs)
    {
        var content = Algorithm.Hash(MeasurementDescriptors.RecParamsImage(flags, pc, gprs));
        SetRim(Algorithm.Hash(MeasurementDescriptors.Rec(Rim, content)));
    }

    /// <summary>RTT_INIT_RIPAS: once per RTT entry processed, with that entry's [base, top).</summary>
    public void MeasureRipas(ulong baseIpa, ulong top) =>
        SetRim(Algorithm.Hash(MeasurementDescriptors.Ripas(Rim, baseIpa, top)));

    /// <summary>REM[index] := H(REM[index] ‖ data); index 1..4, data at most 64 bytes.</summary>
    public void Extend(int index, ReadOnlySpan<byte> data)
    {
        if (index is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(index), "REMs are 1..4");
        if (data.Length > 64) throw new ArgumentOutOfRangeException(nameof(data), "at most 64 bytes");
        var input = new byte[_slots[index].Length + data.Length];
        _slots[index].CopyTo(input, 0);
        data.CopyTo(input.AsSpan(_slots[index].Length));
        _slots[index] = Algorithm.Hash(input);
    }

    /// <summary>Slot <paramref name="index"/> (0 = RIM) as the 64 bytes RSI_MEASUREMENT_READ returns, zero padded.</summary>
    public byte[] Read(int index)
    {
        if (index is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(index), "slots are 0..4");
        var v = new byte[64];
        _slots[index].CopyTo(v, 0);
        return v;
    }

    /// <summary>Slot value at its natural size (as the token carries it).</summary>
    public byte[] Value(int index) => (byte[])_slots[index].Clone();

    public void Seal() => Sealed = true;

    private void SetRim(byte[] value)
    {
        if (Sealed) throw new InvalidOperationException("the RIM is immutable after REALM_ACTIVATE");
        _slots[0] = value;
    }
}
