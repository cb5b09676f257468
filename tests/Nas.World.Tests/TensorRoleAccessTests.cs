// The tensor-store accessors keyed by a role component: the role is found through the component, and checked mode holds a system to declaring it.
using Nas.Torch;

namespace Nas.World.Tests;

/// <summary>A test role: the owner's "scale" tensors.</summary>
public readonly record struct ScaleRole(string[] Names) : ITensorRole
{
    public IReadOnlyList<string> Tensors => Names;
}

public sealed class TensorRoleAccessTests
{
    [Fact]
    public void ARoleAccessorFindsTheTensorThroughTheComponentNotItsName()
    {
        using var world = new World();
        var e = world.Create(new ScaleRole(["w1", "w0"]));
        var w0 = world.Tensors.Add(e, "w0", Tensor.Zeros([2]));
        var w1 = world.Tensors.Add(e, "w1", Tensor.Ones([2]));
        Assert.Same(w1, world.Tensors.Read<ScaleRole>(e)); // the component's order, not the names'
        Assert.Same(w0, world.Tensors.Write<ScaleRole>(e, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => world.Tensors.Read<ScaleRole>(e, 2));
        Assert.Throws<KeyNotFoundException>(() => world.Tensors.Read<ScaleRole>(world.Create()));
    }

    [Fact]
    public void CheckedModeRefusesARoleAccessTheSystemDidNotDeclare()
    {
        using var world = new World { CheckAccesses = true };
        var e = world.Create(new ScaleRole(["w"]));
        world.Tensors.Add(e, "w", Tensor.Zeros([2]));
        var reader = new LambdaSystem("reader", Access.None, (w, _) => w.Tensors.Read<ScaleRole>(e));
        var ex = Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(reader));
        Assert.Equal(typeof(ScaleRole), ex.Type);
        var writer = new LambdaSystem("writer", Access.None.Read<ScaleRole>(), (w, _) => w.Tensors.Write<ScaleRole>(e));
        Assert.Equal(typeof(ScaleRole), Assert.Throws<UndeclaredAccessException>(() => world.RunSystem(writer)).Type);
        world.RunSystem(new LambdaSystem("declared", Access.None.Write<ScaleRole>(), (w, _) => w.Tensors.Write<ScaleRole>(e)));
        world.RunSystem(new LambdaSystem("cache", Access.None.Read<ScaleRole>(), (w, _) => w.Tensors.Use<ScaleRole>(write: false)));
    }
}
