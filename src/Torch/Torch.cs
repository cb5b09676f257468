// Process-wide libtorch settings: version, threads, seeding, determinism, devices.
using System.Text;

namespace Nas.Torch;

public static unsafe class Torch
{
    public static string Version
    {
        get
        {
            var buffer = stackalloc byte[64];
            Native.Check(Native.nt_version(buffer, 64));
            return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(buffer, 64)).TrimEnd('\0');
        }
    }

    public static int Threads
    {
        get { Native.Check(Native.nt_get_num_threads(out var n)); return n; }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
            Native.Check(Native.nt_set_num_threads(value));
        }
    }

    /// <summary>
    /// Tunes glibc's allocator for repeated steps: blocks up to <paramref name="mmapThresholdBytes"/> (glibc caps it, 32 MiB by default) stay
    /// on the heap and the heap is never trimmed, so each step reuses the memory the last one freed instead of faulting
    /// fresh pages in (a third of a DARTS step in this VM; docs/performance.md). Process-wide; the resident size stays at
    /// the peak. <c>nas</c> calls it at start.
    /// </summary>
    public static void KeepFreedMemory(long mmapThresholdBytes = 32L << 20)
    {
        if (mmapThresholdBytes is < 1 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(mmapThresholdBytes), mmapThresholdBytes, "the mmap threshold must be 1 byte to 2 GiB");
        Native.Check(Native.nt_keep_freed_memory(mmapThresholdBytes));
    }

    public static void ManualSeed(ulong seed) => Native.Check(Native.nt_manual_seed(seed));

    public static void SetDeterministic(bool on) => Native.Check(Native.nt_set_deterministic(on ? 1 : 0));

    public static int CudaDeviceCount { get { Native.Check(Native.nt_cuda_device_count(out var n)); return n; } }

    public static bool CudaAvailable => CudaDeviceCount > 0;
}
