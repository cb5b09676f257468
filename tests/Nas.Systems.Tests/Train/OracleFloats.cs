// The float32 files a PyTorch oracle writes, and the 1e-5 comparison of them with ours.
namespace Nas.Systems.Tests.Train;

internal static class OracleFloats
{
    /// <summary>A little-endian float32 file of the oracle's output folder.</summary>
    public static float[] Read(string dir, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(dir, file));
        return Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
    }

    public static void AssertClose(float[] theirs, float[] ours, string what)
    {
        Assert.Equal(theirs.Length, ours.Length);
        for (var i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-5, $"{what} {i}: ours {ours[i]}, torch {theirs[i]}");
    }
}
