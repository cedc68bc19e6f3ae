//! Exact values: rationals and rational multiples of logarithms.
