using VirtCca.Kvm.Attacks;
using VirtCca.Launcher.Config;

namespace VirtCca.Launcher.Composition;

/// <summary>
/// Reads <c>machine.host { attacks = [ ... ], pe = last }</c>: each attack an object with <c>attack</c>
/// (a name of <see cref="AttackCatalog"/>), <c>at</c>, <c>victim</c>, <c>variant</c> and the fields that
/// attack takes. Names of guests and vCPUs are checked against the machine's guests.
/// </summary>
internal static class AttackReader
{
    private static readonly string[] Names = AttackCatalog.All.Select(s => s.Name).ToArray();

    public static HostSpec Read(ConfigReader r, IReadOnlyList<GuestSpec> guests, int pes)
    {
        int? pe = !r.Has("machine.host.pe") || r.Raw("machine.host.pe") == "last" ? null : r.Int("machine.host.pe", 0, pes - 1);
        if (!r.Has("machine.host.attacks")) return new HostSpec { Pe = pe };
        var list = r.Config.GetValue("machine.host.attacks");
        if (!Hocon.IsList(list)) throw r.Error("machine.host.attacks", "expected a list of attacks: [ { attack = read-delegated, at = 100 us }, ... ]");
        var attacks = Hocon.Elements(list).Select((v, i) => Attack(new Fields(v, ConfigPath.Index("machine.host.attacks", i), AllFields, "field of an attack"), guests)).ToArray();
        return new HostSpec { Attacks = attacks, Pe = pe };
    }

    private static readonly string[] AllFields = AttackCatalog.CommonFields.Concat(AttackCatalog.All.SelectMany(s => s.Fields)).Distinct().ToArray();

    private static AttackSpec Attack(Fields f, IReadOnlyList<GuestSpec> guests)
    {
        var name = f.Raw("attack");
        var scenario = AttackCatalog.Find(name) ?? throw f.Error("attack", $"unknown attack '{name}' {DidYouMean.Suggest(name, Names)}");
        var known = AttackCatalog.CommonFields.Concat(scenario.Fields).ToArray();
        foreach (var field in AllFields.Where(k => f.Has(k) && !known.Contains(k)))
            throw f.Error(field, $"{name} does not take {field} (its fields: {string.Join(", ", known)})");
        string Guest(string key)
        {
            var g = f.Raw(key);
            return guests.Any(x => x.Name == g) ? g : throw f.Error(key, $"no guest named '{g}' (guests: {string.Join(", ", guests.Select(x => x.Name))})");
        }
        var victim = f.Has("victim") ? Guest("victim") : null;
        var spec = new AttackSpec(name)
        {
            At = f.Has("at") ? f.Time("at", positive: false) : default,
            Victim = victim,
            Variant = scenario.Variants.Count > 1 || scenario.Variants[0].Length > 0 ? f.OneOf("variant", scenario.Variants[0], [.. scenario.Variants]) : NoVariant(f, name),
            Spy = f.Has("spy") ? Guest("spy") : null,
            Other = f.Has("other") ? Guest("other") : null,
            Ipa = f.Has("ipa") ? f.Address("ipa") : 0,
            Vcpu = f.Int("vcpu", 0),
            Watch = f.Has("watch") ? f.Time("watch") : new AttackSpec(name).Watch,
        };
        var target = guests.FirstOrDefault(g => g.Name == victim) ?? guests.FirstOrDefault(g => g.IsRealm) ?? guests[0];
        if (spec.Vcpu >= target.Vcpus) throw f.Error("vcpu", $"vCPU {spec.Vcpu} does not exist: {target.Name} has {target.Vcpus} vCPUs (0..{target.Vcpus - 1})");
        return spec;
    }

    private static string NoVariant(Fields f, string name) => f.Has("variant") ? throw f.Error("variant", $"{name} has no variants") : "";
}
