using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;

namespace VirtCca.Devices.Tzasc;

/// <summary>Costs of the TZASC in cycles (costs.md §8.3, both "assumed"): the filter on a DRAM access, and reprogramming one region.</summary>
public sealed record TzascCosts(long FrequencyHz = 2_600_000_000, long CheckCycles = 0, long RegionProgramCycles = 2_000)
{
    public SimTime Check => SimTime.FromCycles(CheckCycles, FrequencyHz);
    public SimTime Program => SimTime.FromCycles(RegionProgramCycles, FrequencyHz);
}

/// <summary>
/// The TZASC in front of DRAM as a kernel component: every memory transaction from a PE or the
/// SMMU is checked; a refused one gets a bus error (ok = false) and leaves memory unchanged.
/// Programming requests from the non-secure world are refused and counted.
/// </summary>
public sealed class TzascActor(Tzc400 controller, SparseDram dram, TzascCosts costs) : Component
{
    public const int KindRead = DeviceKinds.TzascRead, KindWrite = DeviceKinds.TzascWrite, KindProgram = DeviceKinds.TzascProgram, KindReply = DeviceKinds.MemoryReply,
        KindSetAction = DeviceKinds.TzascSetAction;

    public Tzc400 Controller { get; } = controller;
    public SparseDram Dram { get; } = dram;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        var data = ev.Data ?? [];
        MemReply reply;
        SimTime cost = costs.Check;
        switch (ev.Kind)
        {
            case KindRead:
            {
                var r = MemRead.Parser.ParseFrom(data);
                reply = new MemReply { Tag = r.Tag, Ok = Controller.Check(r.Address, r.Size, r.Secure, write: false) };
                if (reply.Ok)
                {
                    var buf = new byte[r.Size];
                    Dram.Read(r.Address, buf);
                    reply.Data = ByteString.CopyFrom(buf);
                }
                break;
            }
            case KindWrite:
            {
                var w = MemWrite.Parser.ParseFrom(data);
                reply = new MemReply { Tag = w.Tag, Ok = Controller.Check(w.Address, (ulong)w.Data.Length, w.Secure, write: true) };
                if (reply.Ok) Dram.Write(w.Address, w.Data.Span);
                break;
            }
            case KindProgram:
            {
                var p = TzascProgram.Parser.ParseFrom(data);
                var region = new TzascRegion(p.Enabled, p.Base, p.Top, new RegionAccess(p.SecureRead, p.SecureWrite, p.NonsecureRead, p.NonsecureWrite));
                reply = new MemReply { Tag = p.Tag, Ok = Controller.Program((int)p.Region, region, p.Secure, out _) };
                cost = costs.Program;
                break;
            }
            default:
                throw new InvalidOperationException($"TzascActor got event kind {ev.Kind}");
        }
        ctx.Send(ev.Source, KindReply, (long)reply.Tag, reply.ToByteArray(), cost);
    }
}
