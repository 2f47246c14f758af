namespace VirtCca.SecureMonitor;

/// <summary>Event kinds of the PE ⇄ TMM messages (payloads in Protocol/smc.proto).</summary>
public static class SmcKinds
{
    /// <summary>PE → TMM: an <see cref="Protocol.SmcRequest"/> (RMI call, REC_ENTER or RSI call).</summary>
    public const int Request = 0x5100;
    /// <summary>TMM → PE: an <see cref="Protocol.SmcReply"/>.</summary>
    public const int Reply = 0x5101;
    /// <summary>PE → TMM: a <see cref="Protocol.RealmTrap"/> from the Realm the PE runs; answered with an <see cref="Protocol.SmcReply"/>.</summary>
    public const int RealmTrap = 0x5102;
}
