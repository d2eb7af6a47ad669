package ram.config;

import java.io.Serializable;
import java.util.List;

/**
 * Where and how a run executes; none of it changes what the run trains.
 *
 * @param device where networks compute: {@code auto}, {@code cpu} or {@code gpu}
 * @param runner the Beam runner: {@code flink} or {@code direct}
 * @param flinkMaster {@code [local]}, {@code [auto]} or host:port
 * @param parallelism pipeline parallelism (workers)
 * @param outputDir the run directory as written ({@code outputs/<config name>} by default)
 * @param metricsSinks where metrics go besides the run's own files: {@code tensorboard} or none
 */
public record RuntimeSettings(String device, String runner, String flinkMaster, int parallelism, String outputDir, List<String> metricsSinks)
    implements Serializable {

  /** Whether pipelines run on Flink (embedded or a cluster). */
  public boolean flink() {
    return runner.equals("flink");
  }
}
