// Element types and devices, with the codes the C shim uses (native/src/core.cpp).
namespace Nas.Torch;

public enum DType
{
    Float32 = 0,
    Float64 = 1,
    Int64 = 2,
    Int32 = 3,
    Bool = 4,
    UInt8 = 5,
}

public static class DTypeInfo
{
    public static int ElementSize(this DType t) => t switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.Bool or DType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, "unknown dtype"),
    };
}

/// <summary>A device: the CPU, or a CUDA device by index. Encoded for the shim as -1 (cpu) or the index.</summary>
public readonly record struct Device(int CudaIndex)
{
    public static readonly Device Cpu = new(-1);
    public static Device Cuda(int index = 0) => new(index);
    public bool IsCuda => CudaIndex >= 0;
    public override string ToString() => IsCuda ? $"cuda:{CudaIndex}" : "cpu";

    public static Device Parse(string text) => text switch
    {
        "cpu" => Cpu,
        "cuda" => Cuda(0),
        _ when text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text.AsSpan(5), out var i) => Cuda(i),
        _ => throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)", nameof(text)),
    };
}
