using System.Buffers.Binary;
using System.Security.Cryptography;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>
/// Checklist item 48 from the Realm's side: the RIM a Realm reads with RSI_MEASUREMENT_READ(0) is the
/// hash chain of REALM_CREATE, the measured DATA_CREATE and REC_CREATE, computed here from descriptor
/// bytes laid out by hand (RMM v1.0 §6.2), and the DATA_CREATE is part of it.
/// </summary>
public sealed class RealmReadsItsRimTests
{
    private static byte[] Descriptor(ulong type, byte[] rim)
    {
        var d = new byte[0x100];
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x00), type);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x08), 0x100);
        rim.CopyTo(d, 0x10);
        return d;
    }

    private static byte[] ExpectedRim(byte[]? measuredPage, ulong ipa)
    {
        var create = new byte[4096];
        create[0x008] = 40; create[0x018] = 1; create[0x020] = 1; // s2sz, num_bps, num_wps of RealmSetup.Params; SHA-256
        var rim = SHA256.HashData(create);
        if (measuredPage != null)
        {
            var d = Descriptor(0, rim);
            BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), ipa);
            BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x58), 1); // RMI_MEASURE_CONTENT
            SHA256.HashData(measuredPage).CopyTo(d, 0x60);
            rim = SHA256.HashData(d);
        }
        var rec = new byte[4096];
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x000), 1);      // runnable
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x200), 0x1000); // pc
        var r = Descriptor(1, rim);
        SHA256.HashData(rec).CopyTo(r, 0x50);
        return SHA256.HashData(r);
    }

    [Fact]
    public void Item48_the_realm_reads_the_rim_its_measured_data_created()
    {
        var s = new RealmSetup();
        var (rd, _) = s.Realm();
        foreach (long level in new long[] { 1, 2, 3 }) Assert.Equal(0UL, s.Call(RmiFid.RttCreate, rd, s.Delegated(), 0, (ulong)level).X0);
        var page = Enumerable.Range(0, 4096).Select(i => (byte)(i * 13)).ToArray();
        var src = s.Granule();
        s.Rmm.HostMemory.Write(src, page);
        Assert.Equal(0UL, s.Call(RmiFid.DataCreate, rd, s.Delegated(), 0x1000, src, 1).X0);

        var rec = s.Delegated();
        var recParams = s.Granule();
        var aux = Enumerable.Range(0, 16).Select(_ => s.Delegated()).ToArray();
        s.Rmm.HostMemory.Write(recParams, new RecParams(RecParams.FlagRunnable, 0, 0x1000, [], 16, aux).ToGranule());
        Assert.Equal(0UL, s.Call(RmiFid.RecCreate, rd, rec, recParams).X0);
        Assert.Equal(0UL, s.Call(RmiFid.RealmActivate, rd).X0);

        s.Rmm.SetGuestProgram(rec, new GuestProgram(new GuestStep.Smc(RsiFid.MeasurementRead, 0)));
        Assert.Equal(0UL, s.Call(RmiFid.RecEnter, rec, s.Granule()).X0);
        var read = s.Rmm.RecAt(rec)!.Program.Log.Single();
        Assert.Equal(RsiFid.Success, read.X0);
        var bytes = new byte[64];
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), read.Registers[1 + i]);

        var expected = ExpectedRim(page, 0x1000);
        Assert.Equal(expected, bytes[..32]);
        Assert.Equal(new byte[32], bytes[32..]); // SHA-256: the rest of the 64-byte value is zero
        Assert.NotEqual(ExpectedRim(null, 0), bytes[..32]);
    }
}
