#!/usr/bin/env python3
"""Fits the polynomial behind the vectorised GELU in Sources/Model/Kernels/FastMath.swift.

    $(tools/reference-env.sh) tools/fit_gelu.py

erfc(z) = t · exp(−z² + P(t)) with t = 1 / (1 + z/2), z ≥ 0 (the form of Numerical Recipes'
erfcc). P is smooth on t ∈ (0, 1] (P(1) = 0, P(0) = −log(2√π)), so a least-squares
polynomial fitted at Chebyshev nodes in double precision gives erfc to a few 1e-8 relative.
Prints the coefficients (highest degree first, for Horner) and the worst relative error
of erfc, evaluated in float64, over z ∈ [0, 9].
"""
import numpy as np
from scipy.special import erfc

DEGREE = 10
k = np.arange(4000)
t = 0.5 * (1 + np.cos(np.pi * (k + 0.5) / len(k)))      # Chebyshev nodes on (0, 1)
t = t[t > 1 / (1 + 9 / 2)]                              # z ≤ 9
z = (1 / t - 1) * 2
target = np.log(erfc(z) * np.exp(z * z) / t)
coefficients = np.polyfit(t, target, DEGREE)

zz = np.linspace(0, 9, 200001)
tt = 1 / (1 + zz / 2)
approx = tt * np.exp(-zz * zz + np.polyval(coefficients, tt))
relative = np.abs(approx / erfc(zz) - 1)
print("coefficients (Horner order):")
for c in coefficients:
    print(f"    {c:.10e},")
print(f"worst relative error of erfc on [0, 9]: {relative.max():.3e}")
