// The raw C ABI of libnastorch (native/src). Every call returns a status that Check turns into a TorchException.
using System.Runtime.InteropServices;

namespace Nas.Torch;

internal static unsafe partial class Native
{
    private const string Lib = "nastorch";

    internal static void Check(int status)
    {
        if (status != 0)
            throw new TorchException(Marshal.PtrToStringUTF8(nt_last_error()) ?? "libtorch call failed");
    }

    [LibraryImport(Lib)] internal static partial IntPtr nt_last_error();
    [LibraryImport(Lib)] internal static partial long nt_live_tensors();
    [LibraryImport(Lib)] internal static partial void nt_free(IntPtr t);
    [LibraryImport(Lib)] internal static partial int nt_version(byte* buffer, int size);
    [LibraryImport(Lib)] internal static partial int nt_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int nt_keep_freed_memory(long mmapThreshold);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial int nt_op_profile_start(string path);
    [LibraryImport(Lib)] internal static partial int nt_op_profile_stop();
    [LibraryImport(Lib)] internal static partial int nt_get_num_threads(out int n);
    [LibraryImport(Lib)] internal static partial int nt_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int nt_cuda_device_count(out int n);
    [LibraryImport(Lib)] internal static partial int nt_set_deterministic(int on);

    [LibraryImport(Lib)] internal static partial int nt_dtype(TensorHandle t, out int code);
    [LibraryImport(Lib)] internal static partial int nt_dim(TensorHandle t, out int n);
    [LibraryImport(Lib)] internal static partial int nt_shape(TensorHandle t, long* shape, int capacity);
    [LibraryImport(Lib)] internal static partial int nt_numel(TensorHandle t, out long n);

    [LibraryImport(Lib)] internal static partial int nt_zeros(long* shape, int ndim, int dtype, int device, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_from_blob(void* data, long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int nt_copy_to(TensorHandle t, void* data, long byteSize);

}
