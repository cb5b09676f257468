// The exception every failed native call becomes, carrying libtorch's own message.
namespace Nas.Torch;

public sealed class TorchException(string message) : Exception(message);
