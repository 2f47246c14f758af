using VirtCca.Cores.Host;
using VirtCca.Interconnect;
using VirtCca.Kvm.Guests;
using VirtCca.Tmm.Abi;

namespace VirtCca.Kvm.Realms;

/// <summary>
/// The RMI calls KVM makes for one realm, as host steps on the CPU that runs them: each call checked
/// (a refusal KVM does not expect ends the run, naming the call, its number in this sequence and the
/// TMM's reason), and RTT levels created where a call stops at one with ERROR_RTT.
/// </summary>
public sealed class RealmRmi(IHostCpu cpu, KvmGuest guest, string what)
{
    public int Calls { get; private set; }

    /// <summary>One RMI call; <see cref="Expect"/> (or the caller) checks its result.</summary>
    public HostOp Call(ulong fid, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0, ulong x4 = 0, ulong x5 = 0, HostPhase phase = HostPhase.Run)
    {
        Calls++;
        guest.CountCall(phase, fid);
        return HostOp.Smc(new SmcCall(fid, x1, x2, x3, x4, x5), phase);
    }

    public SmcResult Last => cpu.LastSmc;

    public void Expect(string call)
    {
        if (cpu.LastSmc.X0 != 0)
            throw new SimulationException(
                $"KVM's {what} failed at call {Calls}, {call}: status 0x{cpu.LastSmc.X0:X} ({(cpu.LastSmcError.Length > 0 ? cpu.LastSmcError : "no reason given")})");
    }

    /// <summary>Delegates a fresh host granule for KVM's own use (RD, RTT, REC, aux) and records it.</summary>
    public IEnumerable<HostOp> Delegate(string purpose, Action<ulong> got, HostPhase phase = HostPhase.Run)
    {
        ulong g = guest.Memory.AllocateMetadata();
        yield return Call(RmiFid.GranuleDelegate, g, phase: phase);
        Expect($"GRANULE_DELEGATE ({purpose})");
        guest.Book.AddDelegated(g);
        got(g);
    }

    /// <summary>Makes a call that needs RTTs down to level 3 at <paramref name="ipa"/>, creating each missing level it reports with ERROR_RTT.</summary>
    public IEnumerable<HostOp> WithTables(ulong ipa, Func<HostOp> call, string name, HostPhase phase = HostPhase.Run)
    {
        while (true)
        {
            yield return call();
            var r = cpu.LastSmc;
            if (r.Status == RmiStatus.ErrorRtt && r.Index < 3)
            {
                foreach (var op in CreateTable(ipa, r.Index + 1, phase)) yield return op;
                continue;
            }
            Expect(name);
            yield break;
        }
    }

    /// <summary>Delegates a granule and creates the level-<paramref name="level"/> RTT that covers <paramref name="ipa"/>.</summary>
    public IEnumerable<HostOp> CreateTable(ulong ipa, int level, HostPhase phase = HostPhase.Run)
    {
        ulong granule = 0;
        foreach (var op in Delegate($"level-{level} RTT", g => granule = g, phase)) yield return op;
        ulong covered = ipa & ~(Granule.MappedAt(level - 1) - 1);
        yield return Call(RmiFid.RttCreate, guest.Realm!.Rd, granule, covered, (ulong)level, phase: phase);
        Expect($"RTT_CREATE level {level} at IPA 0x{covered:X}");
        guest.Book.AddRtt(level, covered, granule);
    }
}
