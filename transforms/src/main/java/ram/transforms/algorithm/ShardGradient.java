package ram.transforms.algorithm;

import java.util.TreeMap;

import ram.model.ParameterSet;

/**
 * One shard's gradient of its summed loss, the number of items it sums over (the update divides by
 * the step's total), and the algorithm's diagnostics as sums over the same items, by metric name
 * (the update reports each sum divided by the item count).
 */
public record ShardGradient(ParameterSet gradientSum, long items, TreeMap<String, Double> sums) {}
