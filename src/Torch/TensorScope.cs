// Owns the temporaries of one step: passed explicitly to whoever creates them, disposed together.
namespace Nas.Torch;

public sealed class TensorScope : IDisposable
{
    private readonly List<Tensor> _owned = [];

    /// <summary>Takes ownership of <paramref name="tensor"/> and returns it, so an expression can stay on one line.</summary>
    public Tensor Own(Tensor tensor)
    {
        _owned.Add(tensor);
        return tensor;
    }

    public int Count => _owned.Count;

    /// <summary>Gives up ownership of a tensor that must outlive the scope (the caller now owns it).</summary>
    public Tensor Release(Tensor tensor)
    {
        var i = _owned.LastIndexOf(tensor);
        if (i < 0) throw new InvalidOperationException("tensor is not owned by this scope");
        _owned.RemoveAt(i);
        return tensor;
    }

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
