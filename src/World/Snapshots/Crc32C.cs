// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): SSE4.2 / ARMv8 CRC instructions, slicing-by-8 fallback.
using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nas.World.Snapshots;

public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;

    /// <summary>Slicing-by-8 tables: Table[k * 256 + b] is the CRC of byte b followed by k zero bytes. Never written after construction.</summary>
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/> (CRC-32C("123456789") = 0xE3069283).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC: Append(Compute(a), b) == Compute(a + b); start from 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        if (Sse42.X64.IsSupported)
            c = AppendSse42X64(c, data);
        else if (Crc32.Arm64.IsSupported)
            c = AppendArm64(c, data);
        else
            c = AppendSoftware(c, data);
        return ~c;
    }

    /// <summary>The portable table-driven path (exposed for tests that compare it with the hardware path).</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~AppendSoftware(0xFFFFFFFF, data);

    private static uint AppendSse42X64(uint c, ReadOnlySpan<byte> data)
    {
        ulong c64 = c;
        while (data.Length >= 8)
        {
            c64 = Sse42.X64.Crc32(c64, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        c = (uint)c64;
        foreach (byte b in data)
            c = Sse42.Crc32(c, b);
        return c;
    }

    private static uint AppendArm64(uint c, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            c = Crc32.Arm64.ComputeCrc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data)
            c = Crc32.ComputeCrc32C(c, b);
        return c;
    }

    private static uint AppendSoftware(uint c, ReadOnlySpan<byte> data)
    {
        uint[] t = Table;
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (lo & 0xff)] ^ t[6 * 256 + ((lo >> 8) & 0xff)]
              ^ t[5 * 256 + ((lo >> 16) & 0xff)] ^ t[4 * 256 + (lo >> 24)]
              ^ t[3 * 256 + (hi & 0xff)] ^ t[2 * 256 + ((hi >> 8) & 0xff)]
              ^ t[1 * 256 + ((hi >> 16) & 0xff)] ^ t[hi >> 24];
            data = data[8..];
        }
        foreach (byte b in data)
            c = t[(c ^ b) & 0xff] ^ (c >> 8);
        return c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int i = 0; i < 256; i++)
                table[k * 256 + i] = (table[(k - 1) * 256 + i] >> 8) ^ table[table[(k - 1) * 256 + i] & 0xff];
        return table;
    }
}
