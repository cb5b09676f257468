// Entry point of the `nas` command line.
using Nas.App;

return Cli.Run(args);
