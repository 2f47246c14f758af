namespace VirtCca.Interconnect;

/// <summary>A model given as a topology and a function that makes each component: for hand-built scenarios and tests.</summary>
public sealed class FactoryModel(string name, Topology topology, Func<int, Component> create) : ISimulationModel
{
    public string Name { get; } = name;
    public Topology Topology { get; } = topology;
    public Component CreateComponent(int id) => create(id);
}
