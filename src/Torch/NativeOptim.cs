// The C ABI of native/src/optim.cpp: multi-tensor optimizer steps, gradient clipping and device moves.
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)]
    internal static partial int nt_optim_sgd(IntPtr* parameters, IntPtr* grads, IntPtr* buffers, byte* first, int n,
        double lr, double momentum, double dampening, double weightDecay, int nesterov);

    [LibraryImport(Lib)]
    internal static partial int nt_optim_adam(IntPtr* parameters, IntPtr* grads, IntPtr* expAvg, IntPtr* expAvgSq, long* steps, int n,
        double lr, double beta1, double beta2, double eps, double weightDecay);

    [LibraryImport(Lib)]
    internal static partial int nt_clip_grad_norm(IntPtr* grads, int n, double maxNorm, out double totalNorm);

    [LibraryImport(Lib)]
    internal static partial int nt_optim_zeros_like(IntPtr* parameters, int n, IntPtr* result);

    [LibraryImport(Lib)]
    internal static partial int nt_device_of(TensorHandle t, out int code);

    [LibraryImport(Lib)]
    internal static partial int nt_device_move(TensorHandle t, int code, out IntPtr result);
}
