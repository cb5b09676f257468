// A write that fails (disk full) becomes one RunIOException naming the file; closing after it does not throw again.
using Nas.App.Runs;

namespace Nas.App.Tests.Runs;

public sealed class JsonLinesTests
{
    [Fact]
    public void AFullDeviceGivesARunIOExceptionNamingTheFileAndTheError()
    {
        // /dev/full answers every write with ENOSPC: the error a full disk gives, injected without filling one.
        var lines = new JsonLines("/dev/full");
        var e = Assert.Throws<RunIOException>(() => lines.Write(new { step = 1 }));
        Assert.Equal("/dev/full", e.FilePath);
        Assert.StartsWith("/dev/full: No space left on device", e.Message);
        lines.Dispose(); // the unflushed line is dropped, not thrown again
    }
}
