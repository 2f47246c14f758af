using System.Buffers.Binary;
using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Realms;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Tests;

/// <summary>The params granules a host writes (ToGranule) are the spec's layout (§2.2, §2.3) and read back as written.</summary>
public sealed class ParamsLayoutTests
{
    [Fact]
    public void Realm_params_land_at_the_spec_offsets_and_parse_back()
    {
        var rpv = Enumerable.Range(0, 64).Select(i => (byte)(0xA0 + i)).ToArray();
        var p = new RealmParams(RealmParams.FlagPmu, 40, 3, 1, 2, 4, 1, rpv, 7, 0x8000_1000, -1, 2);
        var g = p.ToGranule();
        Assert.Equal(RealmParams.FlagPmu, BinaryPrimitives.ReadUInt64LittleEndian(g));
        Assert.Equal(new byte[] { 40, 3, 1, 2, 4, 1 }, new[] { g[0x008], g[0x010], g[0x018], g[0x020], g[0x028], g[0x030] });
        Assert.Equal(rpv, g[0x400..0x440]);
        Assert.Equal(7, BinaryPrimitives.ReadUInt16LittleEndian(g.AsSpan(0x800)));
        Assert.Equal(0x8000_1000UL, BinaryPrimitives.ReadUInt64LittleEndian(g.AsSpan(0x808)));
        Assert.Equal(-1, BinaryPrimitives.ReadInt64LittleEndian(g.AsSpan(0x810)));
        Assert.Equal(2U, BinaryPrimitives.ReadUInt32LittleEndian(g.AsSpan(0x818)));
        var back = RealmParams.Parse(g);
        Assert.Equal(p with { Rpv = back.Rpv }, back);
        Assert.Equal(rpv, back.Rpv);
    }

    [Fact]
    public void Rec_params_land_at_the_spec_offsets_and_parse_back()
    {
        var p = new RecParams(RecParams.FlagRunnable, Mpidr.Of(17), 0x1000, [1, 2, 3, 4, 5, 6, 7, 8], 2, [0x8000_2000, 0x8000_3000]);
        var g = p.ToGranule();
        Assert.Equal(0x101UL, BinaryPrimitives.ReadUInt64LittleEndian(g.AsSpan(0x100))); // Aff1 = 1, Aff0 = 1
        Assert.Equal(8UL, BinaryPrimitives.ReadUInt64LittleEndian(g.AsSpan(0x300 + 8 * 7)));
        Assert.Equal(0x8000_3000UL, BinaryPrimitives.ReadUInt64LittleEndian(g.AsSpan(0x810)));
        var back = RecParams.Parse(g);
        Assert.Equal((p.Flags, p.Mpidr, p.Pc, p.NumAux), (back.Flags, back.Mpidr, back.Pc, back.NumAux));
        Assert.Equal(p.Gprs, back.Gprs);
        Assert.Equal([0x8000_2000UL, 0x8000_3000UL, .. new ulong[14]], back.Aux);
    }
}
