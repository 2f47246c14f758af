using VirtCca.Launcher.Composition;
using VirtCca.Tmm.Attestation;

namespace VirtCca.Launcher.Results;

/// <summary>
/// After a machine run: every token a realm obtained goes to <c>DIR/attestation/</c> as
/// <c>GUEST-vcpuN-K.cbor</c> (the K-th token vCPU N of that guest received), with the platform's
/// public key and the reference values the model holds (<see cref="TokenExport"/>), so that
/// <c>virtcca token verify</c> — or any CCA verifier — can check them outside the simulation.
/// </summary>
public static class AttestationExport
{
    public const string Folder = "attestation";

    /// <summary>Writes the tokens of the last run of <paramref name="machine"/>; how many (0: nothing written).</summary>
    public static int Write(Machine machine, string outDir)
    {
        if (machine.Pes.Length == 0 || machine.Tmm is not { } tmm || tmm.Rmm.TokensObtained.Count == 0) return 0;
        var byVmid = machine.Guests.Where(g => g.IsRealm).ToDictionary(g => g.Shape.Vmid, g => g.Name);
        var counts = new Dictionary<(string, int), int>();
        var tokens = new List<ExportedToken>();
        foreach (var t in tmm.Rmm.TokensObtained)
        {
            string guest = byVmid.GetValueOrDefault(t.Vmid, $"realm-vmid{t.Vmid}");
            int k = counts[(guest, t.RecIndex)] = counts.GetValueOrDefault((guest, t.RecIndex)) + 1;
            tokens.Add(new ExportedToken($"{guest}-vcpu{t.RecIndex}-{k}", t.Token, t.Rim, t.Challenge));
        }
        TokenExport.Write(Path.Combine(outDir, Folder), tmm.Rmm.Platform.Cpak, tokens);
        return tokens.Count;
    }
}
