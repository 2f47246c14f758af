namespace VirtCca.Tmm.Abi;

/// <summary>RmiStatusCode of RMM v1.0 (§1.1). X0 packs status in bits 7:0 and an index in bits 15:8.</summary>
public enum RmiStatus : byte
{
    Success = 0,
    ErrorInput = 1,
    ErrorRealm = 2,
    ErrorRec = 3,
    ErrorRtt = 4,
}
