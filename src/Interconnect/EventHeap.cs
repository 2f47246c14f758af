namespace VirtCca.Interconnect;

/// <summary>A binary min-heap of events in kernel order; structs in one array, no allocation per event.</summary>
public sealed class EventHeap
{
    private SimEvent[] _items;
    private int _count;

    public EventHeap(int capacity = 16) => _items = new SimEvent[Math.Max(capacity, 4)];

    public int Count => _count;

    /// <summary>Time of the earliest event, or <see cref="long.MaxValue"/> when empty.</summary>
    public long MinTime => _count == 0 ? long.MaxValue : _items[0].Time;

    public ref readonly SimEvent Peek() => ref _items[0];

    public void Push(in SimEvent e)
    {
        if (_count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!SimEvent.Precedes(e, _items[parent])) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = e;
    }

    public SimEvent Pop()
    {
        var top = _items[0];
        var last = _items[--_count];
        _items[_count] = default;
        if (_count > 0)
        {
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && SimEvent.Precedes(_items[child + 1], _items[child])) child++;
                if (!SimEvent.Precedes(_items[child], last)) break;
                _items[i] = _items[child];
                i = child;
            }
            _items[i] = last;
        }
        return top;
    }
}
