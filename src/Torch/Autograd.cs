// torch.autograd.grad: gradients of outputs with respect to chosen inputs, without touching any .grad.
namespace Nas.Torch;

public static unsafe class Autograd
{
    /// <summary>
    /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, one per input
    /// (null for an input the outputs do not depend on). No .grad is read or written. Scalar outputs need no
    /// <paramref name="gradOutputs"/>; otherwise give one per output (null entries for scalar ones).
    /// With <paramref name="createGraph"/> the results are themselves differentiable (higher-order terms).
    /// </summary>
    public static Tensor?[] Grad(ReadOnlySpan<Tensor> outputs, ReadOnlySpan<Tensor> inputs, bool retainGraph = false,
        bool createGraph = false, ReadOnlySpan<Tensor?> gradOutputs = default)
    {
        if (gradOutputs.Length != 0 && gradOutputs.Length != outputs.Length)
            throw new ArgumentException($"{gradOutputs.Length} grad outputs given for {outputs.Length} outputs", nameof(gradOutputs));
        var outs = new IntPtr[outputs.Length];
        var ins = new IntPtr[inputs.Length];
        var gouts = new IntPtr[gradOutputs.Length];
        var results = new IntPtr[inputs.Length];
        for (var i = 0; i < outputs.Length; i++) outs[i] = outputs[i].Raw;
        for (var i = 0; i < inputs.Length; i++) ins[i] = inputs[i].Raw;
        for (var i = 0; i < gradOutputs.Length; i++) gouts[i] = Tensor.RawOrZero(gradOutputs[i]);
        int status;
        fixed (IntPtr* po = outs, pi = ins, pg = gouts, pr = results)
            status = Native.nt_autograd_grad(po, outs.Length, gradOutputs.Length == 0 ? null : pg, pi, ins.Length,
                retainGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused: 1, pr);
        foreach (var t in outputs) GC.KeepAlive(t);
        foreach (var t in inputs) GC.KeepAlive(t);
        foreach (var t in gradOutputs) GC.KeepAlive(t);
        Native.Check(status);
        var grads = new Tensor?[inputs.Length];
        for (var i = 0; i < results.Length; i++) grads[i] = results[i] == IntPtr.Zero ? null : new Tensor(results[i]);
        return grads;
    }
}
