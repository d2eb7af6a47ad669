package ram.transforms;

import java.util.function.Supplier;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

import ram.model.ParameterTraffic;

/**
 * Counts the wall time a stage spends inside model or reward code, as a Beam counter in the
 * {@value #NAMESPACE} namespace (microseconds). The driver reads the counters after each epoch,
 * so what is not counted here is pipeline overhead: scheduling, shuffles, coders, file writes.
 */
public final class StageTimer implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  public static final String NAMESPACE = "ram";
  private final Counter micros;
  private final String stage;

  private StageTimer(String stage) {
    this.micros = Metrics.counter(NAMESPACE, stage + "_micros");
    this.stage = stage;
  }

  /** A timer for a stage named e.g. {@code sample}, {@code reward}, {@code gradient}, {@code update}. */
  public static StageTimer of(String stage) {
    return new StageTimer(stage);
  }

  /** Seconds per stage ({@code stage_<name>_seconds}) counted in a finished pipeline. */
  public static java.util.Map<String, Double> read(org.apache.beam.sdk.PipelineResult result) {
    java.util.Map<String, Double> seconds = new java.util.TreeMap<>();
    org.apache.beam.sdk.metrics.MetricQueryResults q = result.metrics().queryMetrics(
        org.apache.beam.sdk.metrics.MetricsFilter.builder()
            .addNameFilter(org.apache.beam.sdk.metrics.MetricNameFilter.inNamespace(NAMESPACE)).build());
    for (org.apache.beam.sdk.metrics.MetricResult<Long> c : q.getCounters()) {
      String name = c.getName().getName().replace("_micros", "");
      seconds.merge("stage_" + name + "_seconds", c.getAttempted() / 1e6, Double::sum);
    }
    return seconds;
  }

  /** Runs {@code work} and adds its wall time to the stage's counter; the parameters it moves count as the stage's ({@link ParameterTraffic}). */
  public <T> T time(Supplier<T> work) {
    long t0 = System.nanoTime();
    try {
      return ParameterTraffic.during(stage, work);
    } finally {
      micros.inc((System.nanoTime() - t0) / 1000);
    }
  }
}
