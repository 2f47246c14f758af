using System.Buffers.Binary;
using System.Security.Cryptography;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Measurement;

namespace VirtCca.Tmm.Tests;

/// <summary>RIM/REM extension checked against hashes computed here from descriptor bytes laid out by hand (RMM v1.0 §6.2).</summary>
public sealed class MeasurementTests
{
    private static byte[] H(RmiHashAlgorithm a, byte[] data) => a == RmiHashAlgorithm.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data);

    private static byte[] Descriptor(ulong type, byte[] rim)
    {
        var d = new byte[0x100];
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x00), type);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x08), 0x100);
        Array.Copy(rim, 0, d, 0x10, rim.Length);
        return d;
    }

    private static byte[] ExpectedCreate(RmiHashAlgorithm a)
    {
        var p = new byte[4096];
        p[0x000] = 0b010;           // flags: SVE
        p[0x008] = 40;              // s2sz
        p[0x010] = 3;               // sve_vl
        p[0x018] = 5;               // num_bps
        p[0x020] = 6;               // num_wps
        p[0x028] = 0;               // pmu_num_ctrs
        p[0x030] = (byte)a;         // hash_algo
        return H(a, p);
    }

    [Theory]
    [InlineData(RmiHashAlgorithm.Sha256)]
    [InlineData(RmiHashAlgorithm.Sha512)]
    public void Realm_create_then_data_rec_and_ripas_extend_the_rim_as_the_spec_lays_out(RmiHashAlgorithm a)
    {
        var m = new RealmMeasurement(a);
        m.MeasureRealmCreate(0b010, 40, 3, 5, 6, 0);
        var rim = ExpectedCreate(a);
        Assert.Equal(rim, m.Value(0));

        var content = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        m.MeasureData(0x8000_1000, 1, content);
        var d = Descriptor(0, rim);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), 0x8000_1000);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x58), 1);
        Array.Copy(H(a, content), 0, d, 0x60, a == RmiHashAlgorithm.Sha256 ? 32 : 64);
        rim = H(a, d);
        Assert.Equal(rim, m.Value(0));

        m.MeasureData(0x8000_2000, 0, content); // unmeasured content: zero content field
        d = Descriptor(0, rim);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), 0x8000_2000);
        rim = H(a, d);
        Assert.Equal(rim, m.Value(0));

        m.MeasureRec(1, 0x8000_0000, [0x11, 0x22]);
        var rec = new byte[4096];
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x000), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x200), 0x8000_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x300), 0x11);
        BinaryPrimitives.WriteUInt64LittleEndian(rec.AsSpan(0x308), 0x22);
        d = Descriptor(1, rim);
        Array.Copy(H(a, rec), 0, d, 0x50, a == RmiHashAlgorithm.Sha256 ? 32 : 64);
        rim = H(a, d);
        Assert.Equal(rim, m.Value(0));

        m.MeasureRipas(0x4000_0000, 0x4020_0000);
        d = Descriptor(2, rim);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x50), 0x4000_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(0x58), 0x4020_0000);
        Assert.Equal(H(a, d), m.Value(0));
    }

    [Fact]
    public void Order_of_operations_changes_the_rim()
    {
        var x = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        var y = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        x.MeasureRipas(0, 0x1000); x.MeasureRipas(0x1000, 0x2000);
        y.MeasureRipas(0x1000, 0x2000); y.MeasureRipas(0, 0x1000);
        Assert.NotEqual(x.Value(0), y.Value(0));
    }

    [Fact]
    public void Rem_extend_is_hash_of_old_value_and_data_and_read_pads_to_64_bytes()
    {
        var m = new RealmMeasurement(RmiHashAlgorithm.Sha256);
        m.Extend(2, [1, 2, 3]);
        var expected = SHA256.HashData([.. new byte[32], 1, 2, 3]);
        Assert.Equal(expected, m.Value(2));
        var read = m.Read(2);
        Assert.Equal(64, read.Length);
        Assert.Equal(expected, read[..32]);
        Assert.All(read[32..], b => Assert.Equal(0, b));
        Assert.Equal(new byte[32], m.Value(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Extend(0, [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Extend(1, new byte[65]));
    }

    [Fact]
    public void The_rim_is_immutable_once_sealed()
    {
        var m = new RealmMeasurement(RmiHashAlgorithm.Sha512);
        m.MeasureRealmCreate(0, 48, 0, 1, 1, 0);
        var before = m.Value(0);
        m.Seal();
        Assert.Throws<InvalidOperationException>(() => m.MeasureRipas(0, 0x1000));
        Assert.Equal(before, m.Value(0));
        m.Extend(1, [9]); // REMs still extend
    }
}
