using System.Buffers.Binary;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>A host's view of building Realms: delegate granules, write RmiRealmParams into its own memory, call REALM_CREATE.</summary>
internal sealed class RealmSetup
{
    public readonly Rmm Rmm;
    private ulong _next = 0x8000_0000;

    public RealmSetup(RmmConfig? config = null) => Rmm = new Rmm(config ?? new RmmConfig());

    /// <summary>A fresh host granule address (never reused).</summary>
    public ulong Granule() { var g = _next; _next += 0x1000; return g; }

    public ulong Delegated()
    {
        var g = Granule();
        Assert.Equal(RmiStatus.Success, Rmm.HostSmc(RmiFid.GranuleDelegate, g).Status);
        return g;
    }

    public ulong Params(byte s2sz = 40, long sl = 0, uint numStart = 1, ulong rttBase = 0, ushort vmid = 1, byte hash = 0, ulong flags = 0, byte bps = 1, byte wps = 1)
    {
        var p = Granule();
        var g = new byte[4096];
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x000), flags);
        g[0x008] = s2sz; g[0x018] = bps; g[0x020] = wps; g[0x030] = hash;
        for (int i = 0; i < 64; i++) g[0x400 + i] = (byte)(0xA0 + i);
        BinaryPrimitives.WriteUInt16LittleEndian(g.AsSpan(0x800), vmid);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808), rttBase);
        BinaryPrimitives.WriteInt64LittleEndian(g.AsSpan(0x810), sl);
        BinaryPrimitives.WriteUInt32LittleEndian(g.AsSpan(0x818), numStart);
        Rmm.HostMemory.Write(p, g);
        return p;
    }

    /// <summary>Setup "R" of the checklist: s2sz = 40, SL = 0, one starting RTT, SHA-256.</summary>
    public (ulong Rd, ulong Rtt) Realm(ushort vmid = 1)
    {
        var rd = Delegated();
        var rtt = Delegated();
        var r = Rmm.HostSmc(RmiFid.RealmCreate, rd, Params(rttBase: rtt, vmid: vmid));
        Assert.True(r.Status == RmiStatus.Success, $"{r} {Rmm.LastError}");
        return (rd, rtt);
    }

    public SmcResult Call(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0) => Rmm.HostSmc(fid, x1, x2, x3, x4, x5);
}
