// Small dense double-precision linear algebra for the BNNAS++ facets: log|det| by LU and symmetric eigenvalues by Jacobi.
namespace Nas.Systems.OneShot.Indicators;

public static class Dense
{
    /// <summary>log|det A| by LU with partial pivoting; −∞ for a singular matrix. A is not modified.</summary>
    public static double LogAbsDet(double[,] a)
    {
        int n = a.GetLength(0);
        if (a.GetLength(1) != n) throw new ArgumentException($"need a square matrix, got {n}×{a.GetLength(1)}");
        var m = (double[,])a.Clone();
        double logDet = 0;
        for (int k = 0; k < n; k++)
        {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.Abs(m[i, k]) > Math.Abs(m[p, k])) p = i;
            if (m[p, k] == 0) return double.NegativeInfinity;
            if (p != k) for (int j = 0; j < n; j++) (m[k, j], m[p, j]) = (m[p, j], m[k, j]);
            logDet += Math.Log(Math.Abs(m[k, k]));
            for (int i = k + 1; i < n; i++)
            {
                double f = m[i, k] / m[k, k];
                for (int j = k + 1; j < n; j++) m[i, j] -= f * m[k, j];
            }
        }
        return logDet;
    }

    /// <summary>Eigenvalues of a symmetric matrix, descending (cyclic Jacobi rotations, to 1e-14 relative off-diagonal).</summary>
    public static double[] SymmetricEigenvalues(double[,] s)
    {
        int n = s.GetLength(0);
        if (s.GetLength(1) != n) throw new ArgumentException($"need a square matrix, got {n}×{s.GetLength(1)}");
        var a = (double[,])s.Clone();
        double total = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) total += a[i, j] * a[i, j];
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i, j] * a[i, j];
            if (off <= 1e-28 * total || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), sn = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - sn * akq; a[k, q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - sn * aqk; a[q, k] = sn * apk + c * aqk;
                    }
                }
        }
        var ev = new double[n];
        for (int i = 0; i < n; i++) ev[i] = a[i, i];
        Array.Sort(ev);
        Array.Reverse(ev);
        return ev;
    }
}
