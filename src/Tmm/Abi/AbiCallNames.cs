namespace VirtCca.Tmm.Abi;

/// <summary>Metric names of RMI and TMI calls ("rmi.granule_delegate", "tmi.data_create"), for counting them per run.</summary>
public static class AbiCallNames
{
    private static readonly Dictionary<ulong, string> Names = new()
    {
        [RmiFid.Version] = "rmi.version", [RmiFid.GranuleDelegate] = "rmi.granule_delegate", [RmiFid.GranuleUndelegate] = "rmi.granule_undelegate",
        [RmiFid.DataCreate] = "rmi.data_create", [RmiFid.DataCreateUnknown] = "rmi.data_create_unknown", [RmiFid.DataDestroy] = "rmi.data_destroy",
        [RmiFid.RealmActivate] = "rmi.realm_activate", [RmiFid.RealmCreate] = "rmi.realm_create", [RmiFid.RealmDestroy] = "rmi.realm_destroy",
        [RmiFid.RecCreate] = "rmi.rec_create", [RmiFid.RecDestroy] = "rmi.rec_destroy", [RmiFid.RecEnter] = "rmi.rec_enter",
        [RmiFid.RttCreate] = "rmi.rtt_create", [RmiFid.RttDestroy] = "rmi.rtt_destroy", [RmiFid.RttMapUnprotected] = "rmi.rtt_map_unprotected",
        [RmiFid.RttReadEntry] = "rmi.rtt_read_entry", [RmiFid.RttUnmapUnprotected] = "rmi.rtt_unmap_unprotected", [RmiFid.PsciComplete] = "rmi.psci_complete",
        [RmiFid.Features] = "rmi.features", [RmiFid.RttFold] = "rmi.rtt_fold", [RmiFid.RecAuxCount] = "rmi.rec_aux_count",
        [RmiFid.RttInitRipas] = "rmi.rtt_init_ripas", [RmiFid.RttSetRipas] = "rmi.rtt_set_ripas",
        [TmiFid.VersionReq] = "tmi.version_req", [TmiFid.MemInfoShow] = "tmi.mem_info_show", [TmiFid.DataCreate] = "tmi.data_create",
        [TmiFid.DataDestroy] = "tmi.data_destroy", [TmiFid.CvmActivate] = "tmi.cvm_activate", [TmiFid.CvmCreate] = "tmi.cvm_create",
        [TmiFid.CvmDestroy] = "tmi.cvm_destroy", [TmiFid.TecCreate] = "tmi.tec_create", [TmiFid.TecDestroy] = "tmi.tec_destroy",
        [TmiFid.TecEnter] = "tmi.tec_enter", [TmiFid.TttCreate] = "tmi.ttt_create", [TmiFid.PsciComplete] = "tmi.psci_complete",
        [TmiFid.Features] = "tmi.features", [TmiFid.TttMapRange] = "tmi.ttt_map_range", [TmiFid.TttUnmapRange] = "tmi.ttt_unmap_range",
    };

    public static string Of(ulong fid) => Names.TryGetValue(fid & ~RmiFid.SveHint, out var n) ? n : $"smc_0x{fid:x}";
}
