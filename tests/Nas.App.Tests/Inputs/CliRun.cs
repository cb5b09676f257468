// Runs the `nas` command line in this process with stdout and stderr captured (the Console collection runs alone, so the swap is safe).
namespace Nas.App.Tests.Inputs;

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

internal static class CliRun
{
    /// <summary>Runs <c>nas ARGS</c> with <paramref name="environment"/> set for the call; returns the exit code and both outputs.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var saved = new Dictionary<string, string?>();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = Cli.Run(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
