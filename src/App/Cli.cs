// The `nas` command tree (DESIGN.md, "The command line and the run folder").
using System.CommandLine;
using System.Runtime.InteropServices;

namespace Nas.App;

public static class Cli
{
    public static int Run(string[] args)
    {
        Torch.Torch.Threads = Environment.ProcessorCount; // libtorch here starts with one thread; commands may override
        Torch.Torch.KeepFreedMemory(); // steps reuse freed tensor memory instead of faulting pages in again
        var root = new RootCommand("Nas: neural-architecture search as an ECS world over libtorch.");
        root.Subcommands.Add(VersionCommand());
        root.Subcommands.Add(Commands.SearchCommand.Create());
        root.Subcommands.Add(Commands.InfoCommand.Create());
        root.Subcommands.Add(Commands.ResumeCommand.Create());
        root.Subcommands.Add(Commands.InspectCommand.Create());
        root.Subcommands.Add(Commands.ServeCommand.Create());
        root.Subcommands.Add(Commands.TrainCommand.Create());
        root.Subcommands.Add(Commands.BenchCommand.Create());
        root.Subcommands.Add(Commands.ExperimentCommand.Create());
        root.Subcommands.Add(Commands.ReportCommand.Create());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line and the bad-input code, like every other refusal (systemd's RestartPreventExitStatus=2 relies on it).
            var command = parsed.CommandResult.Command is RootCommand ? "nas" : $"nas {parsed.CommandResult.Command.Name}";
            Console.Error.WriteLine($"{command}: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (`{command} --help` lists the flags)");
            return ExitCodes.BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"nas: {e.Message}");
            return ExitCodes.IoError;
        }
        catch (Exception e)
        {
            // Never a stack trace: one line naming what failed; the code says it was not the input.
            Console.Error.WriteLine($"nas: unexpected {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Failed;
        }
    }

    private static Command VersionCommand()
    {
        var command = new Command("version", "print the Nas, .NET and libtorch versions, threads and device");
        command.SetAction(_ =>
        {
            var nas = typeof(Cli).Assembly.GetName().Version?.ToString(3) ?? "?";
            Console.WriteLine($"nas      {nas}");
            Console.WriteLine($".NET     {RuntimeInformation.FrameworkDescription}");
            Console.WriteLine($"libtorch {Torch.Torch.Version}");
            Console.WriteLine($"threads  {Torch.Torch.Threads}");
            Console.WriteLine($"device   {(Torch.Torch.CudaAvailable ? "cuda" : "cpu")}");
            return 0;
        });
        return command;
    }
}
