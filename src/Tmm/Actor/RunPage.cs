using System.Buffers.Binary;
using VirtCca.SecureMonitor.Protocol;
using Layout = VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Actor;

/// <summary>RmiRecRun (§2.4) between its page image and the SMC messages: the entry half KVM wrote, the exit half it reads back.</summary>
public static class RunPage
{
    /// <summary>Lays out the entry half (0x000..0x7FF) as KVM writes it into the run granule, into <paramref name="page"/>.</summary>
    public static void WriteEntryHalf(RecEntry entry, byte[] page)
    {
        if (entry.Gprs.Count > 31 || entry.Gicv3Lrs.Count > 16)
            throw new ArgumentException($"a REC entry has at most 31 GPRs and 16 list registers, not {entry.Gprs.Count} and {entry.Gicv3Lrs.Count}");
        if (page.Length != Layout.RecEntry.Size) throw new ArgumentException($"the entry half is 0x800 bytes, not 0x{page.Length:X}", nameof(page));
        Array.Clear(page);
        BinaryPrimitives.WriteUInt64LittleEndian(page, entry.Flags);
        for (int i = 0; i < entry.Gprs.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(Layout.RecEntry.GprsOffset + 8 * i), entry.Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(Layout.RecEntry.GicHcrOffset), entry.Gicv3Hcr);
        for (int i = 0; i < entry.Gicv3Lrs.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(Layout.RecEntry.GicLrsOffset + 8 * i), entry.Gicv3Lrs[i]);
    }

    /// <summary>The exit half (run page 0x800..0xFFF) as KVM reads it.</summary>
    public static RecExitRecord ExitRecord(byte[] exitHalf)
    {
        ulong U(int o) => BinaryPrimitives.ReadUInt64LittleEndian(exitHalf.AsSpan(o));
        var record = new RecExitRecord
        {
            Reason = exitHalf[0], Esr = U(Layout.RecExit.EsrOffset), Far = U(Layout.RecExit.FarOffset), Hpfar = U(Layout.RecExit.HpfarOffset), Gicv3Hcr = U(Layout.RecExit.GicHcrOffset),
            RipasBase = U(Layout.RecExit.RipasBaseOffset), RipasTop = U(Layout.RecExit.RipasTopOffset), RipasValue = exitHalf[Layout.RecExit.RipasValueOffset],
            Imm = BinaryPrimitives.ReadUInt16LittleEndian(exitHalf.AsSpan(Layout.RecExit.ImmOffset)),
        };
        // Trailing zero registers are left out (a missing entry reads as zero): most exits carry one value or none.
        AddUpToLastNonZero(record.Gprs, exitHalf, Layout.RecExit.GprsOffset, 7);
        AddUpToLastNonZero(record.Gicv3Lrs, exitHalf, Layout.RecExit.GicLrsOffset, 16);
        return record;
    }

    private static void AddUpToLastNonZero(Google.Protobuf.Collections.RepeatedField<ulong> field, byte[] half, int offset, int count)
    {
        int n = count;
        while (n > 0 && BinaryPrimitives.ReadUInt64LittleEndian(half.AsSpan(offset + 8 * (n - 1))) == 0) n--;
        for (int i = 0; i < n; i++) field.Add(BinaryPrimitives.ReadUInt64LittleEndian(half.AsSpan(offset + 8 * i)));
    }
}
