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

    public static void ManualSeed(ulong seed) => Native.Check(Native.nt_manual_seed(seed));

    public static void SetDeterministic(bool on) => Native.Check(Native.nt_set_deterministic(on ? 1 : 0));

    public static int CudaDeviceCount { get { Native.Check(Native.nt_cuda_device_count(out var n)); return n; } }

    public static bool CudaAvailable => CudaDeviceCount > 0;
}
