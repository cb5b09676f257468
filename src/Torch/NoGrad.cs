// A scope with autograd recording off (torch.no_grad). Grad mode is thread-local in libtorch.
namespace Nas.Torch;

/// <summary>
/// <c>using (NoGrad.Enter()) { ... }</c> turns off graph recording until the scope ends, then restores the
/// previous mode (scopes nest). libtorch keeps grad mode per thread: enter and leave on the thread that does
/// the tensor work, and keep a step's tensor work on one thread.
/// </summary>
public static class NoGrad
{
    public static GradModeScope Enter() => GradModeScope.Set(false);

    /// <summary>Turns recording back on inside a no-grad region (torch.enable_grad).</summary>
    public static GradModeScope EnableGrad() => GradModeScope.Set(true);

    public static bool IsGradEnabled
    {
        get { Native.Check(Native.nt_is_grad_enabled(out var e)); return e != 0; }
    }
}

/// <summary>Restores the grad mode that was current when it was made. A struct, so entering costs no allocation.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;
    private readonly int _thread;

    private GradModeScope(bool previous)
    {
        _previous = previous;
        _thread = Environment.CurrentManagedThreadId;
    }

    internal static GradModeScope Set(bool enabled)
    {
        Native.Check(Native.nt_set_grad_enabled(enabled ? 1 : 0, out var previous));
        return new GradModeScope(previous != 0);
    }

    public void Dispose()
    {
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("a grad-mode scope must end on the thread that entered it (libtorch's grad mode is thread-local)");
        Native.Check(Native.nt_set_grad_enabled(_previous ? 1 : 0, out _));
    }
}
