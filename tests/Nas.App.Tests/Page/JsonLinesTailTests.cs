// The incremental reader behind the page's curves: complete lines only, only what is new, and a fresh start when a resume rewrote the file.
using Nas.App.Page;

namespace Nas.App.Tests.Page;

public sealed class JsonLinesTailTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-tail-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ATornLastLineIsLeftUntilItIsComplete()
    {
        var path = Path.Combine(_dir, "steps.jsonl");
        File.WriteAllText(path, "{\"step\":1}\n{\"step\":2}\n{\"st");
        var tail = new JsonLinesTail(path);
        Assert.Equal(["{\"step\":1}", "{\"step\":2}"], tail.After(long.MinValue));
        File.AppendAllText(path, "ep\":3}\n");
        Assert.Equal(["{\"step\":3}"], tail.After(2));
        Assert.Empty(tail.After(3));
    }

    [Fact]
    public void AFileThatGotShorterIsReadAgainFromTheStart()
    {
        var path = Path.Combine(_dir, "steps.jsonl");
        File.WriteAllText(path, "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n");
        var tail = new JsonLinesTail(path);
        Assert.Equal(3, tail.After(long.MinValue).Count);
        File.WriteAllText(path, "{\"step\":1}\n"); // a resume from step 1 truncated the log
        Assert.Equal(["{\"step\":1}"], tail.After(long.MinValue));
    }

    [Fact]
    public void AMissingFileHasNoLines() => Assert.Empty(new JsonLinesTail(Path.Combine(_dir, "none.jsonl")).From(0));
}
