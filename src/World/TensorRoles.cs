// Tensor roles (components naming which stored tensors are alpha, weights, momenta, ...) and their checked accessors.
using Nas.Torch;

namespace Nas.World;

/// <summary>
/// A component saying which tensors of its entity's <see cref="TensorStore"/> entries play the role the component type
/// names (e.g. alpha, the trainable weights, their momentum buffers). The role is the type, never the tensor's name: the
/// names are store keys only.
/// </summary>
public interface ITensorRole
{
    /// <summary>The store names of the entity's tensors in this role, in the role's stable order.</summary>
    IReadOnlyList<string> Tensors { get; }
}

public sealed partial class TensorStore
{
    /// <summary>
    /// Checked mode: validates a use of the tensors of role <typeparamref name="TRole"/> against the running system's
    /// <see cref="Access"/> (a write needs Write&lt;TRole&gt;, a read Read or Write). Caches that hand out a role's tensors
    /// (resolved once, for speed) call this on every hand-out; outside a system it does nothing.
    /// </summary>
    public void Use<TRole>(bool write) where TRole : struct, ITensorRole => _world.CheckAccess(typeof(TRole), write);

    /// <summary>The <paramref name="index"/>-th tensor of role <typeparamref name="TRole"/> on <paramref name="owner"/>, as a read.</summary>
    public Tensor Read<TRole>(Entity owner, int index = 0) where TRole : struct, ITensorRole => Role<TRole>(owner, index, write: false);

    /// <summary>The <paramref name="index"/>-th tensor of role <typeparamref name="TRole"/> on <paramref name="owner"/>, to change in place.</summary>
    public Tensor Write<TRole>(Entity owner, int index = 0) where TRole : struct, ITensorRole => Role<TRole>(owner, index, write: true);

    private Tensor Role<TRole>(Entity owner, int index, bool write) where TRole : struct, ITensorRole
    {
        Use<TRole>(write);
        if (!_world.TryPeek<TRole>(owner, out var role))
            throw new KeyNotFoundException($"{owner} has no {typeof(TRole).Name} component");
        if ((uint)index >= (uint)role.Tensors.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{owner}'s {typeof(TRole).Name} names {role.Tensors.Count} tensors, asked for #{index}");
        return Get(owner, role.Tensors[index]);
    }
}

public sealed partial class World
{
    /// <summary>The component without an access check (the caller checked the access it stands for).</summary>
    internal bool TryPeek<T>(Entity entity, out T component)
    {
        EnsureAlive(entity);
        if (_pools.TryGetValue(typeof(T), out var p))
        {
            var pool = (Pool<T>)p;
            var pos = pool.PositionOf(entity.Index);
            if (pos >= 0) { component = pool.Items[pos]; return true; }
        }
        component = default!;
        return false;
    }
}
