using VirtCca.Tmm.Abi;
using VirtCca.Tmm.Recs;

namespace VirtCca.Tmm.Tests.Acs;

/// <summary>What running code inside a Realm gave: REC_ENTER's status, the exit record, and what the Realm saw, step by step.</summary>
internal sealed record RealmRun(SmcResult Status, RecExit? Exit, IReadOnlyList<GuestOutcome> Outcomes)
{
    /// <summary>The registers the one step of the run returned (X0..).</summary>
    public ulong[] Registers => Assert.Single(Outcomes).Registers;
}

/// <summary>
/// Code inside a Realm, through the ABI: the steps become the REC's program, the host enters the REC
/// (REC_ENTER), the Realm runs them until one needs the host, and the host reads the exit record from
/// the run page. A Realm's SMC the TMM answers itself (RSI, most PSCI) comes back as the registers the
/// Realm saw; one that needs the host (HOST_CALL, IPA_STATE_SET, CPU_ON, ...) comes back as an exit,
/// answered by the host's next calls and <see cref="Resume"/>.
/// </summary>
internal sealed partial class TestRealm
{
    /// <summary>Runs <paramref name="steps"/> in REC <paramref name="rec"/> (they replace its program) until it exits.</summary>
    public RealmRun Run(int rec, params GuestStep[] steps)
    {
        Program(rec, steps);
        return Resume(rec);
    }

    /// <summary>REC_ENTER again with <paramref name="entry"/>: the Realm finishes what the last exit left and goes on with its program.</summary>
    public RealmRun Resume(int rec, RecEntry? entry = null)
    {
        var program = RecModel(rec).Program;
        int before = program.Log.Count;
        var status = Enter(rec, entry);
        return new RealmRun(status, status.X0 == 0 ? Exit(rec) : null, program.Log.Skip(before).ToList());
    }

    /// <summary>
    /// One SMC from inside REC <paramref name="rec"/> that the TMM answers without the host: the
    /// registers X0.. the Realm got back. The REC then has nothing left to do and exits IRQ (idle).
    /// </summary>
    public ulong[] Smc(int rec, ulong fid, params ulong[] args)
    {
        var run = Run(rec, new GuestStep.Smc(fid, args));
        Assert.True(run.Status.X0 == 0, $"REC_ENTER returned {run.Status}: {Rmm.LastError}");
        Assert.Equal(RecExitReason.Irq, run.Exit!.Reason);
        return run.Registers;
    }

    /// <summary>One SMC from inside REC <paramref name="rec"/> that makes the REC exit: the exit record.</summary>
    public RecExit SmcExits(int rec, ulong fid, params ulong[] args)
    {
        var run = Run(rec, new GuestStep.Smc(fid, args));
        Assert.True(run.Status.X0 == 0, $"REC_ENTER returned {run.Status}: {Rmm.LastError}");
        return run.Exit!;
    }

    /// <summary>The Realm's memory as the Realm reads it: 8-byte loads from inside REC <paramref name="rec"/>.</summary>
    public byte[] ReadAsRealm(int rec, ulong ipa, int length)
    {
        var steps = Enumerable.Range(0, (length + 7) / 8).Select(i => (GuestStep)new GuestStep.Load(ipa + (ulong)i * 8)).ToArray();
        var run = Run(rec, steps);
        Assert.Equal(steps.Length, run.Outcomes.Count);
        var bytes = new byte[steps.Length * 8];
        for (int i = 0; i < steps.Length; i++)
        {
            Assert.Equal("load", run.Outcomes[i].Kind);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), run.Outcomes[i].Registers[0]);
        }
        return bytes[..length];
    }
}
