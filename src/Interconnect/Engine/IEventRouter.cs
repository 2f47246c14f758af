namespace VirtCca.Interconnect.Engine;

/// <summary>Where a sent event goes: the engine decides (own heap, another partition's inbox, the global queue).</summary>
internal interface IEventRouter
{
    void Route(in SimEvent e);

    /// <summary>The component with this id if it runs on the caller's thread in this window, else null.</summary>
    Component? LocalComponent(int id);
}
