// The C ABI of the tensor ops (native/src/creation.cpp, shape.cpp, math.cpp, nn.cpp, autograd.cpp, generator.cpp).
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal static unsafe partial class Native
{
    // creation.cpp
    [LibraryImport(Lib)] internal static partial int nt_full(long* shape, int ndim, double value, int dtype, int device, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_arange(double start, double end, double step, int dtype, int device, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_like(TensorHandle t, int kind, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_random(long* shape, int ndim, int kind, int dtype, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_randint(long low, long high, long* shape, int ndim, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_randperm(long n, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_bernoulli_p(long* shape, int ndim, double p, int dtype, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_bernoulli(TensorHandle probs, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_item_double(TensorHandle t, out double value);
    [LibraryImport(Lib)] internal static partial int nt_item_long(TensorHandle t, out long value);
    [LibraryImport(Lib)] internal static partial int nt_to_dtype(TensorHandle t, int dtype, out IntPtr result);

    // generator.cpp
    [LibraryImport(Lib)] internal static partial int nt_generator_new(ulong seed, out IntPtr result);
    [LibraryImport(Lib)] internal static partial void nt_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial int nt_generator_set_seed(GeneratorHandle g, ulong seed);
    [LibraryImport(Lib)] internal static partial int nt_generator_seed(GeneratorHandle g, out ulong seed);
    [LibraryImport(Lib)] internal static partial int nt_generator_state_size(GeneratorHandle g, out long size);
    [LibraryImport(Lib)] internal static partial int nt_generator_get_state(GeneratorHandle g, byte* buffer, long size);
    [LibraryImport(Lib)] internal static partial int nt_generator_set_state(GeneratorHandle g, byte* buffer, long size);

    // shape.cpp
    [LibraryImport(Lib)] internal static partial int nt_view(TensorHandle t, long* shape, int n, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_reshape(TensorHandle t, long* shape, int n, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_expand(TensorHandle t, long* shape, int n, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_permute(TensorHandle t, long* order, int n, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_transpose(TensorHandle t, long d0, long d1, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_flatten(TensorHandle t, long start, long end, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_unsqueeze(TensorHandle t, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_squeeze(TensorHandle t, long dim, int hasDim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_contiguous(TensorHandle t, int format, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_is_contiguous(TensorHandle t, int format, out int yes);
    [LibraryImport(Lib)] internal static partial int nt_narrow(TensorHandle t, long dim, long start, long length, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_select(TensorHandle t, long dim, long index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_slice(TensorHandle t, long dim, long start, long end, long step, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_cat(IntPtr* tensors, int n, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_shuffle_join(TensorHandle mixed, TensorHandle bypass, long groups, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_weighted_sum(IntPtr* ys, IntPtr* weights, int n, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_bn_weighted_sum(IntPtr* hs, IntPtr* runningMeans, IntPtr* runningVars, int nb, IntPtr* ys, int np, IntPtr* weights, double momentum, double eps, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_stack(IntPtr* tensors, int n, long dim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_chunk(TensorHandle t, long chunks, long dim, IntPtr* results, int capacity, out int count);
    [LibraryImport(Lib)] internal static unsafe partial int nt_split_with_sizes(TensorHandle t, long* sizes, int n, long dim, IntPtr* result);

    // math.cpp; the op codes are the enums below.
    [LibraryImport(Lib)] internal static partial int nt_unary(TensorHandle a, int op, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_binary(TensorHandle a, TensorHandle b, int op, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_binary_scalar(TensorHandle a, double s, int op, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_hardtanh(TensorHandle a, double min, double max, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_clamp(TensorHandle a, int hasMin, double min, int hasMax, double max, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_where(TensorHandle cond, TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_inplace_tensor(TensorHandle a, TensorHandle b, double alpha, int op);
    [LibraryImport(Lib)] internal static partial int nt_inplace_scalar(TensorHandle a, double s, int op);
    [LibraryImport(Lib)] internal static partial int nt_reduce(TensorHandle a, int op, long* dims, int ndim, int keepdim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_max_dim(TensorHandle a, long dim, int keepdim, int largest, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int nt_argmax(TensorHandle a, long dim, int hasDim, int keepdim, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_topk(TensorHandle a, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
    [LibraryImport(Lib)] internal static partial int nt_norm(TensorHandle a, double p, long* dims, int ndim, int keepdim, out IntPtr result);

    // nn.cpp; optional tensors are raw pointers (zero = none).
    [LibraryImport(Lib)] internal static partial int nt_softmax(TensorHandle a, long dim, int log, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_conv2d(TensorHandle input, TensorHandle weight, IntPtr bias, long sh, long sw, long ph, long pw, long dh, long dw, long groups, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_even_odd_pixels(TensorHandle input, out IntPtr even, out IntPtr odd);
    [LibraryImport(Lib)] internal static partial int nt_depthwise_conv2d(TensorHandle input, TensorHandle weight, long stride, long padding, long dilation, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_batch_norm(TensorHandle input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_max_pool2d(TensorHandle input, long kh, long kw, long sh, long sw, long ph, long pw, int ceilMode, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_avg_pool2d(TensorHandle input, long kh, long kw, long sh, long sw, long ph, long pw, int ceilMode, int countIncludePad, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_adaptive_avg_pool2d(TensorHandle input, long oh, long ow, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_linear(TensorHandle input, TensorHandle weight, IntPtr bias, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_dropout(TensorHandle input, double p, int training, GeneratorHandle g, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_cross_entropy(TensorHandle logits, TensorHandle targets, int reduction, double labelSmoothing, out IntPtr result);

    // autograd.cpp
    [LibraryImport(Lib)] internal static partial int nt_requires_grad(TensorHandle t, out int yes);
    [LibraryImport(Lib)] internal static partial int nt_set_requires_grad(TensorHandle t, int on);
    [LibraryImport(Lib)] internal static partial int nt_is_leaf(TensorHandle t, out int yes);
    [LibraryImport(Lib)] internal static partial int nt_backward(TensorHandle t, IntPtr gradient, int retainGraph, int createGraph);
    [LibraryImport(Lib)] internal static partial int nt_grad(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_set_grad(TensorHandle t, IntPtr gradient);
    [LibraryImport(Lib)] internal static partial int nt_zero_grad(TensorHandle t, int setToNone);
    [LibraryImport(Lib)] internal static partial int nt_detach(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_clone(TensorHandle t, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_set_grad_enabled(int enabled, out int previous);
    [LibraryImport(Lib)] internal static partial int nt_is_grad_enabled(out int enabled);
    [LibraryImport(Lib)] internal static partial int nt_autograd_grad(IntPtr* outputs, int nOutputs, IntPtr* gradOutputs, IntPtr* inputs, int nInputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    // core.cpp: calls that do nothing, for measuring the cost of crossing the ABI.
    [LibraryImport(Lib)] internal static partial int nt_noop();
    [LibraryImport(Lib)] internal static partial int nt_noop_tensor(TensorHandle t);

    internal enum Unary { Neg = 0, Exp = 1, Log = 2, Sqrt = 3, Abs = 4, Sigmoid = 5, Tanh = 6, Relu = 7, Square = 8, Reciprocal = 9, Sign = 10, LogicalNot = 11 }

    internal enum Binary { Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Gt = 5, Lt = 6, Eq = 7, Ge = 8, Le = 9, Ne = 10, Maximum = 11, Minimum = 12, MatMul = 13, ScalarMinus = 14, ScalarOver = 15 }

    internal enum InPlaceTensor { Add = 0, Mul = 1, Div = 2, Copy = 3 }

    internal enum InPlaceScalar { Add = 0, Mul = 1, Div = 2, Fill = 3, Zero = 4 }

    internal enum Reduction { Sum = 0, Mean = 1, Max = 2, Min = 3 }

    // pool.cpp
    [LibraryImport(Lib)] internal static partial int nt_pool3x3(TensorHandle input, int max, long stride, out IntPtr result);

    // batchnorm.cpp
    [LibraryImport(Lib)] internal static partial int nt_batch_norm_train(TensorHandle input, IntPtr runningMean, IntPtr runningVar, double momentum, double eps, int relu, out IntPtr result);
}
