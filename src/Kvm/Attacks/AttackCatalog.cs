using VirtCca.Kvm.Attacks.Scenarios;

namespace VirtCca.Kvm.Attacks;

/// <summary>
/// The vocabulary of a malicious host: every attack by its HOCON name, with the letter, its
/// variants (the first is the default) and the fields it takes. A test checks README and reference.conf
/// name the same.
/// </summary>
public static class AttackCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new MapIntoVm(), new ReadDelegated(), new WriteDelegated(), new ProgramTzasc(), new DmaIntoRealm(), new RepointSte(),
        new InjectBadLr(), new UndelegateInUse(), new EnterRunningRec(), new EnterForeignRec(), new DestroyLiveRealm(),
        new ReplayRunPage(), new ForgeRipas(), new ModifyMeasuredPage(), new ReadGuestMemory(),
    ];

    /// <summary>Fields every attack takes.</summary>
    public static IReadOnlyList<string> CommonFields { get; } = ["attack", "at", "victim", "variant"];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
