using System.Buffers.Binary;
using VirtCca.Tmm.Recs;
using VirtCca.Tmm.Abi;

namespace VirtCca.Tmm.Tests;

/// <summary>A Realm with RAM at [0, 64 KiB) (DATA granules, RIPAS RAM), a level-3 table over the first unprotected 2 MiB, and RECs.</summary>
internal sealed class RecSetup
{
    public readonly RealmSetup S;
    public ulong Rd, Run;
    public const ulong Ns = 1UL << 39;
    public readonly List<ulong> Recs = new();

    public RecSetup(int recs = 1, bool activate = true, bool secondRunnable = false, RmmConfig? config = null)
    {
        S = new RealmSetup(config);
        (Rd, _) = S.Realm();
        foreach (var (ipa, level) in new[] { (0UL, 1L), (0UL, 2L), (0UL, 3L), (Ns, 1L), (Ns, 2L), (Ns, 3L) })
            Ok(S.Call(RmiFid.RttCreate, Rd, S.Delegated(), ipa, (ulong)level));
        Ok(S.Call(RmiFid.RttInitRipas, Rd, 0, 0x10000));
        for (ulong ipa = 0; ipa < 0x10000; ipa += 0x1000)
            Ok(S.Call(RmiFid.DataCreateUnknown, Rd, S.Delegated(), ipa));
        for (int i = 0; i < recs; i++)
        {
            var rec = S.Delegated();
            Ok(S.Call(RmiFid.RecCreate, Rd, rec, RecParamsPage(i, runnable: i == 0 || secondRunnable)));
            Recs.Add(rec);
        }
        if (activate) Ok(S.Call(RmiFid.RealmActivate, Rd));
        Run = S.Granule();
    }

    public static void Ok(SmcResult r) => Assert.True(r.Status == RmiStatus.Success && r.X0 == 0, r.ToString());

    public ulong RecParamsPage(int index, bool runnable = true, ulong numAux = 16, IList<ulong>? aux = null, ulong? mpidr = null)
    {
        var p = S.Granule();
        var g = new byte[4096];
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x000), runnable ? 1UL : 0UL);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x100), mpidr ?? Mpidr.Of(index));
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x200), 0x1000);
        BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x800), numAux);
        var auxes = aux ?? Enumerable.Range(0, (int)Math.Min(numAux, 16)).Select(_ => S.Delegated()).ToList();
        for (int i = 0; i < auxes.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(g.AsSpan(0x808 + 8 * i), auxes[i]);
        S.Rmm.HostMemory.Write(p, g);
        return p;
    }

    public SmcResult Enter(int rec = 0, ulong flags = 0, ulong gpr0 = 0, ulong hcr = 0, ulong? lr0 = null)
    {
        WriteEntry(flags, gpr0, hcr, lr0);
        return S.Call(RmiFid.RecEnter, Recs[rec], Run);
    }

    /// <summary>REC_ENTER for a vCPU running on a simulated CPU (the Realm's steps come one by one through RealmTrap).</summary>
    public SmcResult EnterOnCpu(int rec = 0, ulong flags = 0, ulong gpr0 = 0, ulong hcr = 0, ulong? lr0 = null)
    {
        WriteEntry(flags, gpr0, hcr, lr0);
        return S.Rmm.EnterOnCpu(Recs[rec], Run);
    }

    private void WriteEntry(ulong flags, ulong gpr0, ulong hcr, ulong? lr0)
    {
        var entry = new byte[0x800];
        BinaryPrimitives.WriteUInt64LittleEndian(entry, flags);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(0x200), gpr0);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(0x300), hcr);
        if (lr0 is { } lr) BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(0x308), lr);
        S.Rmm.HostMemory.Write(Run, entry);
    }

    public void Program(int rec, params GuestStep[] steps) => S.Rmm.SetGuestProgram(Recs[rec], new GuestProgram(steps));
    public GuestProgram Guest(int rec = 0) => S.Rmm.RecAt(Recs[rec])!.Program;

    /// <summary>The exit record the host reads back: reason, esr, far, hpfar, gprs[0..3], ripas base/top/value, imm.</summary>
    public (RecExitReason Reason, ulong Esr, ulong Far, ulong Hpfar, ulong[] Gprs, ulong RipasBase, ulong RipasTop, ulong RipasValue, ushort Imm, byte[] Raw) Exit()
    {
        var x = new byte[0x800];
        S.Rmm.HostMemory.Read(Run + 0x800, x);
        ulong U(int o) => BinaryPrimitives.ReadUInt64LittleEndian(x.AsSpan(o));
        return ((RecExitReason)x[0], U(0x100), U(0x108), U(0x110), Enumerable.Range(0, 31).Select(i => U(0x200 + 8 * i)).ToArray(),
            U(0x500), U(0x508), x[0x510], BinaryPrimitives.ReadUInt16LittleEndian(x.AsSpan(0x600)), x);
    }
}
