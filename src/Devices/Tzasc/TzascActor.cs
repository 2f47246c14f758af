using Google.Protobuf;
using VirtCca.Devices.Protocol;
using VirtCca.Interconnect;
using VirtCca.Tmm.Abi;

namespace VirtCca.Devices.Tzasc;

/// <summary>
/// Costs of the TZASC in cycles (costs.md §8.3, all "assumed"): the filter on a DRAM access,
/// reprogramming one region, and one register write such as ACTION (costs.md's ~300 cycles per
/// device-register write, the basis of its region-program figure).
/// </summary>
public sealed record TzascCosts(long FrequencyHz = 2_600_000_000, long CheckCycles = 0, long RegionProgramCycles = 2_000, long RegisterWriteCycles = 300)
{
    public SimTime RegisterWrite => SimTime.FromCycles(RegisterWriteCycles, FrequencyHz);
    public SimTime Check => SimTime.FromCycles(CheckCycles, FrequencyHz);
    public SimTime Program => SimTime.FromCycles(RegionProgramCycles, FrequencyHz);
}

/// <summary>
/// The TZASC in front of DRAM as a kernel component: every memory transaction from a PE or the
/// SMMU is checked. A refused one leaves memory unchanged and is answered as the controller's
/// action says: a bus error (ok = false), or under raz-wi ok with zeros for a read. Programming
/// requests (regions, action) from the non-secure world are refused and counted.
/// </summary>
public sealed class TzascActor(Tzc400 controller, PhysicalMemory dram, TzascCosts costs) : Component
{
    public const int KindRead = DeviceKinds.TzascRead, KindWrite = DeviceKinds.TzascWrite, KindProgram = DeviceKinds.TzascProgram, KindReply = DeviceKinds.MemoryReply,
        KindSetAction = DeviceKinds.TzascSetAction;

    public Tzc400 Controller { get; } = controller;
    /// <summary>The DRAM behind the filter: the machine's one physical memory.</summary>
    public PhysicalMemory Dram { get; } = dram;

    public override void Handle(in SimEvent ev, ISimContext ctx)
    {
        MemReply reply;
        SimTime cost = costs.Check;
        switch (ev.Kind)
        {
            case KindRead:
            {
                var r = ev.PayloadAs<MemRead>();
                bool permitted = Controller.Check(r.Address, r.Size, r.Secure, write: false);
                reply = new MemReply { Tag = r.Tag, Ok = permitted || !Controller.Action.IsBusError() };
                if (reply.Ok)
                {
                    var buf = new byte[r.Size];             // read-as-zero when refused
                    if (permitted) Dram.Read(r.Address, buf);
                    reply.Data = ByteString.CopyFrom(buf);
                }
                break;
            }
            case KindWrite:
            {
                var w = ev.PayloadAs<MemWrite>();
                bool permitted = Controller.Check(w.Address, (ulong)w.Data.Length, w.Secure, write: true);
                reply = new MemReply { Tag = w.Tag, Ok = permitted || !Controller.Action.IsBusError() };
                if (permitted) Dram.Write(w.Address, w.Data.Span); // write-ignored when refused, in every action
                break;
            }
            case KindProgram:
            {
                var p = ev.PayloadAs<TzascProgram>();
                var region = new TzascRegion(p.Enabled, p.Base, p.Top, new RegionAccess(p.SecureRead, p.SecureWrite, p.NonsecureRead, p.NonsecureWrite));
                reply = new MemReply { Tag = p.Tag, Ok = Controller.Program((int)p.Region, region, p.Secure, out _) };
                cost = costs.Program;
                break;
            }
            case KindSetAction:
            {
                var a = ev.PayloadAs<TzascSetAction>();
                reply = new MemReply { Tag = a.Tag, Ok = Controller.SetAction((TzcAction)a.Action, a.Secure) };
                cost = costs.RegisterWrite;
                break;
            }
            default:
                throw new InvalidOperationException($"TzascActor got event kind {ev.Kind}");
        }
        ctx.Send(ev.Source, KindReply, (long)reply.Tag, reply, cost);
    }
}
