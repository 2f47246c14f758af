using System.Buffers.Binary;
using VirtCca.SecureMonitor.Protocol;

namespace VirtCca.Tmm.Actor;

/// <summary>RmiRecRun (§2.4) between its page image and the SMC messages: the entry half KVM wrote, the exit half it reads back.</summary>
public static class RunPage
{
    /// <summary>The entry half (0x000..0x7FF) as KVM lays it out in the run granule.</summary>
    public static byte[] EntryHalf(RecEntry entry)
    {
        if (entry.Gprs.Count > 31 || entry.Gicv3Lrs.Count > 16)
            throw new ArgumentException($"a REC entry has at most 31 GPRs and 16 list registers, not {entry.Gprs.Count} and {entry.Gicv3Lrs.Count}");
        var page = new byte[0x800];
        BinaryPrimitives.WriteUInt64LittleEndian(page, entry.Flags);
        for (int i = 0; i < entry.Gprs.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(0x200 + 8 * i), entry.Gprs[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(0x300), entry.Gicv3Hcr);
        for (int i = 0; i < entry.Gicv3Lrs.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan(0x308 + 8 * i), entry.Gicv3Lrs[i]);
        return page;
    }

    /// <summary>The exit half (run page 0x800..0xFFF) as KVM reads it.</summary>
    public static RecExitRecord ExitRecord(byte[] exitHalf)
    {
        ulong U(int o) => BinaryPrimitives.ReadUInt64LittleEndian(exitHalf.AsSpan(o));
        var record = new RecExitRecord
        {
            Reason = exitHalf[0], Esr = U(0x100), Far = U(0x108), Hpfar = U(0x110), Gicv3Hcr = U(0x300),
            RipasBase = U(0x500), RipasTop = U(0x508), RipasValue = exitHalf[0x510], Imm = BinaryPrimitives.ReadUInt16LittleEndian(exitHalf.AsSpan(0x600)),
        };
        for (int i = 0; i < 7; i++) record.Gprs.Add(U(0x200 + 8 * i));
        for (int i = 0; i < 16; i++) record.Gicv3Lrs.Add(U(0x308 + 8 * i));
        return record;
    }
}
