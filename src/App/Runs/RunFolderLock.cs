// One writer per run folder: flock(2) on RUN_DIR/.lock, held while the process lives; the kernel releases it when the process dies.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Nas.App.Runs;

/// <summary>
/// An exclusive advisory lock on <c>RUN_DIR/.lock</c>, which holds the holder's PID. A crash leaves no stale lock: the lock belongs
/// to the open file, and the kernel closes it with the process. Two opens in one process conflict too (flock locks per open file).
/// </summary>
public sealed partial class RunFolderLock : IDisposable
{
    public const string FileName = ".lock";
    private int _fd;

    private RunFolderLock(int fd) => _fd = fd;

    /// <summary>Takes the lock of <paramref name="folder"/>, or returns null with the holder's PID (0 when it has not written it yet).</summary>
    /// <exception cref="IOException">The lock file cannot be created or opened (permission, read-only file system).</exception>
    public static RunFolderLock? TryAcquire(string folder, out int holder)
    {
        holder = 0;
        var path = Path.Combine(folder, FileName);
        int fd = Open(path, ORdWr | OCreat | OCloexec, 420 /* 0644 */);
        if (fd < 0) throw new IOException($"{path}: cannot open the lock file: {Error(Marshal.GetLastPInvokeError())}");
        if (Flock(fd, LockEx | LockNb) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            holder = ReadPid(fd);
            _ = Close(fd);
            if (errno == EWouldBlock) return null;
            throw new IOException($"{path}: cannot lock: {Error(errno)}");
        }
        var pid = Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
        if (Ftruncate(fd, 0) != 0 || Pwrite(fd, pid, pid.Length, 0) != pid.Length)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = Close(fd);
            throw new IOException($"{path}: cannot write the lock holder's PID: {Error(errno)}");
        }
        return new RunFolderLock(fd);
    }

    private static int ReadPid(int fd)
    {
        var buffer = new byte[32];
        var n = Pread(fd, buffer, buffer.Length, 0);
        return n > 0 && int.TryParse(Encoding.ASCII.GetString(buffer, 0, (int)n).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
    }

    private static string Error(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public void Dispose()
    {
        if (_fd <= 0) return;
        _ = Close(_fd); // closing the only descriptor releases the lock
        _fd = 0;
    }

    private const int ORdWr = 2, OCreat = 0x40, OCloexec = 0x80000, LockEx = 2, LockNb = 4, EWouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint Pwrite(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint Pread(int fd, byte[] buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
