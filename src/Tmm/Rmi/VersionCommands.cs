
namespace VirtCca.Tmm;

public sealed partial class Rmm
{
    /// <summary>RMI_VERSION: X1 lower, X2 higher implemented revision; ERROR_INPUT when the request is not v1.0.</summary>
    private SmcResult Version(ulong requested) =>
        requested == RmiFid.Version10
            ? SmcResult.Of(RmiStatus.Success, 0, RmiFid.Version10, RmiFid.Version10)
            : Fail(RmiStatus.ErrorInput, $"version {Hex(requested)} is not supported (this TMM implements 1.0)", 0, RmiFid.Version10, RmiFid.Version10);

    /// <summary>RMI_FEATURES: FeatureRegister0 for index 0, zero for any other; always SUCCESS.</summary>
    private SmcResult Features(ulong index) => SmcResult.Of(RmiStatus.Success, 0, index == 0 ? Config.FeatureRegister0 : 0);

    /// <summary>RMI_REC_AUX_COUNT: how many REC_AUX granules REC_CREATE needs.</summary>
    private SmcResult RecAuxCount(ulong rd) =>
        RealmAt(rd) == null ? Input($"rd {Hex(rd)} is not an RD granule") : SmcResult.Of(RmiStatus.Success, 0, (ulong)Config.RecAuxCount);
}
