package ram.transforms.algorithm;

/**
 * One figure of the driver's per-epoch progress line: the epoch mean of metric {@code metric},
 * printed as {@code label} followed by the value in {@code format} (a {@link String#format} pattern).
 */
public record ProgressMetric(String label, String metric, String format) {}
