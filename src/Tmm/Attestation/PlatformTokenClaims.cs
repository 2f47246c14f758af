namespace VirtCca.Tmm.Attestation;

/// <summary>One measured platform component (claim 2399): measurement value and signer id are mandatory.</summary>
public sealed record SoftwareComponent(string? Type, byte[] MeasurementValue, string? Version, byte[] SignerId, string? HashAlgorithm);

/// <summary>The claims of a platform token, typed; <see cref="All"/> keeps every claim as decoded, unknown ones included.</summary>
public sealed record PlatformTokenClaims(
    string Profile,
    byte[] Challenge,
    byte[] ImplementationId,
    byte[] InstanceId,
    byte[] Config,
    long SecurityLifecycle,
    IReadOnlyList<SoftwareComponent> SoftwareComponents,
    string? VerificationService,
    string HashAlgorithm,
    IReadOnlyDictionary<int, object> All)
{
    /// <summary>The PSA security lifecycle state of the lifecycle claim (its upper byte); null outside the defined ranges.</summary>
    public static string? LifecycleName(long value) => (value & ~0xFFL) switch
    {
        0x0000 => "unknown",
        0x1000 => "assembly-and-test",
        0x2000 => "psa-rot-provisioning",
        0x3000 => "secured",
        0x4000 => "non-psa-rot-debug",
        0x5000 => "recoverable-psa-rot-debug",
        0x6000 => "decommissioned",
        _ => null,
    };

    internal static PlatformTokenClaims Parse(IReadOnlyDictionary<int, object> c)
    {
        var profile = c.GetValueOrDefault(CcaClaims.Profile) as string ?? throw Bad("platform profile (265) missing or not text");
        if (profile != CcaClaims.PlatformProfile && profile != CcaClaims.PlatformProfileLegacy)
            throw Bad($"platform profile \"{profile}\" is neither {CcaClaims.PlatformProfile} nor {CcaClaims.PlatformProfileLegacy}");
        var challenge = Bytes(c, CcaClaims.Challenge, "platform challenge (10)");
        if (challenge.Length is not (32 or 48 or 64)) throw Bad($"platform challenge (10) is {challenge.Length} bytes, not 32, 48 or 64");
        var implementation = Bytes(c, CcaClaims.ImplementationId, "implementation id (2396)");
        if (implementation.Length != 32) throw Bad($"implementation id (2396) is {implementation.Length} bytes, not 32");
        var instance = Bytes(c, CcaClaims.InstanceId, "instance id (256)");
        if (instance.Length != 33 || instance[0] != 0x01) throw Bad("instance id (256) is not a 33-byte UEID of type RAND (0x01)");
        var config = Bytes(c, CcaClaims.PlatformConfig, "platform config (2401)");
        if (c.GetValueOrDefault(CcaClaims.SecurityLifecycle) is not long lifecycle) throw Bad("security lifecycle (2395) missing or not an integer");
        if (LifecycleName(lifecycle) == null) throw Bad($"security lifecycle (2395) 0x{lifecycle:x} is not a defined state");
        if (c.GetValueOrDefault(CcaClaims.SoftwareComponents) is not List<object> list || list.Count == 0)
            throw Bad("software components (2399) missing, empty or not an array");
        var components = list.Select(Component).ToArray();
        string? service = null;
        if (c.TryGetValue(CcaClaims.VerificationService, out var v)) service = v as string ?? throw Bad("verification service (2400) is not text");
        var hash = c.GetValueOrDefault(CcaClaims.PlatformHashAlgorithm) as string ?? throw Bad("platform hash algorithm (2402) missing or not text");
        return new PlatformTokenClaims(profile, challenge, implementation, instance, config, lifecycle, components, service, hash, c);
    }

    private static SoftwareComponent Component(object item, int index)
    {
        if (item is not Dictionary<int, object> m) throw Bad($"software component [{index}] is not a map");
        string? OptionalText(int key, string name) => m.TryGetValue(key, out var t) ? t as string ?? throw Bad($"software component [{index}] {name} ({key}) is not text") : null;
        byte[] Required(int key, string name) => m.GetValueOrDefault(key) as byte[] ?? throw Bad($"software component [{index}] {name} ({key}) missing or not a byte string");
        return new SoftwareComponent(OptionalText(CcaClaims.ComponentType, "type"), Required(CcaClaims.MeasurementValue, "measurement value"),
            OptionalText(CcaClaims.Version, "version"), Required(CcaClaims.SignerId, "signer id"), OptionalText(CcaClaims.ComponentHashAlgorithm, "hash algorithm"));
    }

    private static byte[] Bytes(IReadOnlyDictionary<int, object> c, int key, string name) =>
        c.GetValueOrDefault(key) as byte[] ?? throw Bad($"{name} missing or not a byte string");

    private static TokenFormatException Bad(string why) => new(TokenFailure.BadPlatformClaims, why);
}
