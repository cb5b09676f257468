// Allocation of optimizer state: zero tensors like the parameters, made in one native call.
namespace Nas.Torch;

internal static unsafe class OptimState
{
    public static Tensor[] ZerosLike(ReadOnlySpan<Tensor> parameters)
    {
        var n = parameters.Length;
        var raw = new IntPtr[n];
        if (n == 0) return [];
        using (var p = new BorrowedHandles(parameters!, "parameters", allowNull: false))
        fixed (IntPtr* pp = p.Pointers)
        fixed (IntPtr* rp = raw)
            Native.Check(Native.nt_optim_zeros_like(pp, n, rp));
        var result = new Tensor[n];
        for (var i = 0; i < n; i++) result[i] = new Tensor(raw[i]);
        return result;
    }
}
