// Fuzzing: 100,000 random and mutated documents never crash, hang or leak an exception other than MessagePackException.
using System.Diagnostics;
using Nas.World.MessagePack;

namespace Nas.World.Tests.MessagePack;

public sealed class FuzzTests
{
    private static readonly byte[] LengthMarkers = [0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf];

    [Fact]
    public void HundredThousandMutatedInputsRaiseOnlyMessagePackException()
    {
        var random = new Random(424242);
        var values = new RandomValues(seed: 1, maxDepth: 5, maxItems: 5);
        var seeds = Enumerable.Range(0, 500).Select(_ => Codec.Encode(values.Next())).Where(b => b.Length < 4096).ToArray();
        var options = new MessagePackReaderOptions { MaxDepth = 16, MaxStringLength = 1 << 16, MaxBinLength = 1 << 20, MaxArrayLength = 1 << 16, MaxMapLength = 1 << 16 };
        var clock = Stopwatch.StartNew();
        int rejected = 0;
        for (int i = 0; i < 100_000; i++)
        {
            byte[] input = i % 10 == 0 ? values.NextBytes(random.Next(64)) : Mutate(seeds[random.Next(seeds.Length)], random);
            Stream stream = i % 3 == 0 ? new UnseekableStream(input) : new MemoryStream(input);
            var reader = new MessagePackReader(stream, options, bufferSize: 64);
            try
            {
                for (int values_ = 0; values_ < 3 && !reader.IsAtEnd; values_++)
                {
                    if (i % 2 == 0) reader.Read(); else reader.Skip();
                }
            }
            catch (MessagePackException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"input {i} ({Codec.Hex(input)}) raised {e.GetType()}: {e.Message}");
            }
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"fuzzing took {clock.Elapsed}");
        Assert.InRange(rejected, 10_000, 100_000); // most mutations must actually break something
    }

    private static byte[] Mutate(byte[] document, Random random)
    {
        var bytes = new List<byte>(document);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    var inserted = new byte[1 + random.Next(8)];
                    random.NextBytes(inserted);
                    bytes.InsertRange(at, inserted);
                    break;
                case 3:
                    // Length inflation: a length-carrying marker followed by large length bytes.
                    bytes[at] = LengthMarkers[random.Next(LengthMarkers.Length)];
                    for (int k = 1; k <= 4 && at + k < bytes.Count; k++)
                        bytes[at + k] = (byte)(random.Next(2) == 0 ? 0xff : random.Next(256));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }
        return bytes.ToArray();
    }
}
