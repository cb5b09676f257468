// The one error type for bad or missing data files: its message names the file and the field or record.
namespace Nas.Systems.Data;

public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
