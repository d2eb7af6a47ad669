package ram.runners.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import ram.config.ConfigException;
import ram.runners.cluster.EmbeddedFlinkCluster;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.store.OwnedDirectory;

/**
 * {@code ram flink start|stop|status [--dir DIR]}: a local Flink 1.19 session cluster
 * ({@link FlinkSessionCluster}) to run training and the store pipelines on with
 * {@code --flink_master 127.0.0.1:P}. Its listeners bind to the loopback address unless
 * {@code start --bind_host} names another address of the host.
 */
@Command(name = "flink", synopsisSubcommandLabel = "start|stop|status", description = "a local Flink 1.19 session cluster (separate JVMs) for --flink_master 127.0.0.1:8081",
    subcommands = {FlinkCommand.Start.class, FlinkCommand.Stop.class, FlinkCommand.Status.class})
final class FlinkCommand implements Callable<Integer> {

  @ParentCommand private Main ram;

  @Override
  public Integer call() {
    throw new ConfigException("flink: missing the action: start, stop or status (see ./ram flink --help)");
  }

  /** {@code --dir}: the cluster's directory (state, PID files, logs); stop and status touch it only if ram made it. */
  static final class ClusterDir {

    @Option(names = "--dir", paramLabel = "DIR", description = "the cluster's state and logs (default: outputs/flink)")
    private Path dir;

    /** The directory: {@code --dir} as given, or outputs/flink under the ram home. */
    Path path(FlinkCommand flink) {
      return dir != null ? dir : flink.ram.home().resolve("outputs/flink");
    }

    /** The cluster in {@code --dir}, for stop and status: only in a directory ram made, or none yet. */
    FlinkSessionCluster existing(FlinkCommand flink, String action) {
      Path d = path(flink);
      if (Files.exists(d)) { // stop and status read and delete pid files under run/
        OwnedDirectory.requireClaimable(d, OwnedDirectory.Kind.FLINK_CLUSTER, "flink " + action + " --dir");
      }
      return new FlinkSessionCluster(d);
    }
  }

  /** {@code flink start}: starts the JobManager and TaskManagers and waits for their REST endpoint. */
  @Command(name = "start", description = "start a session cluster and wait until it serves jobs")
  static final class Start implements Callable<Integer> {

    @ParentCommand private FlinkCommand flink;
    @Mixin private ClusterDir dir;

    @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "1", description = "TaskManager JVMs (default: ${DEFAULT-VALUE})")
    private int taskManagers;

    @Option(names = "--slots", paramLabel = "S", defaultValue = "2", description = "task slots per TaskManager (default: ${DEFAULT-VALUE})")
    private int slots;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8081", description = "the REST port (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--bind_host", paramLabel = "H", defaultValue = EmbeddedFlinkCluster.LOOPBACK,
        description = "the address the listeners bind to: one of this host's interfaces, 0.0.0.0 for all (default: ${DEFAULT-VALUE})")
    private String bindHost;

    @Override
    public Integer call() {
      positive("taskmanagers", taskManagers);
      positive("slots", slots);
      positive("port", port);
      requireLocalAddress(bindHost);
      OwnedDirectory.claim(dir.path(flink), OwnedDirectory.Kind.FLINK_CLUSTER, "flink start --dir");
      FlinkSessionCluster cluster = new FlinkSessionCluster(dir.path(flink));
      PrintStream out = flink.ram.out();
      long t0 = System.nanoTime();
      FlinkSessionCluster.Overview o = cluster.start(taskManagers, slots, port, bindHost, out);
      out.printf("Flink %s session cluster up in %.1f s: %d TaskManager(s), %d slots, REST at http://%s (state and logs in %s)%n",
          o.version(), (System.nanoTime() - t0) / 1e9, o.taskManagers(), o.slots(), cluster.master(), cluster.dir());
      out.printf("Flink dashboard: http://%s/%n", cluster.master());
      out.printf("run on it with: ./ram train toy2d --flink_master %s --parallelism %d%n", cluster.master(), o.slots());
      return 0;
    }
  }

  /** {@code flink stop}: stops the cluster's processes. */
  @Command(name = "stop", description = "stop the cluster's processes")
  static final class Stop implements Callable<Integer> {

    @ParentCommand private FlinkCommand flink;
    @Mixin private ClusterDir dir;

    @Override
    public Integer call() {
      FlinkSessionCluster cluster = dir.existing(flink, "stop");
      int stopped = cluster.stop(flink.ram.out());
      flink.ram.out().println(stopped == 0 ? "no Flink cluster running from " + cluster.dir() : "stopped " + stopped + " Flink process(es)");
      return 0;
    }
  }

  /** {@code flink status}: whether the cluster runs, and its TaskManagers, slots and jobs. */
  @Command(name = "status", description = "whether the cluster runs: TaskManagers, slots, jobs")
  static final class Status implements Callable<Integer> {

    @ParentCommand private FlinkCommand flink;
    @Mixin private ClusterDir dir;

    @Override
    public Integer call() {
      FlinkSessionCluster cluster = dir.existing(flink, "status");
      PrintStream out = flink.ram.out();
      int alive = cluster.alivePids(out).size();
      Optional<FlinkSessionCluster.Overview> o = alive == 0 ? Optional.empty() : cluster.overview();
      if (o.isEmpty()) {
        out.println(alive == 0 ? "not running (" + cluster.dir() + ")" : alive + " process(es) alive but the REST endpoint does not answer; see "
            + cluster.dir().resolve("log"));
      } else {
        FlinkSessionCluster.Overview v = o.get();
        out.printf("running: Flink %s at http://%s, %d TaskManager(s), %d slots, jobs running %d, finished %d, failed %d%n",
            v.version(), cluster.master(), v.taskManagers(), v.slots(), v.jobsRunning(), v.jobsFinished(), v.jobsFailed());
      }
      return 0;
    }
  }

  /** {@code --bind_host}: an address of one of the host's interfaces, or a wildcard. */
  private static void requireLocalAddress(String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      if (!host.isBlank() && (address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null)) {
        return;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new ConfigException("flink: --bind_host: expected an address of this host's network interfaces (default "
        + EmbeddedFlinkCluster.LOOPBACK + ", 0.0.0.0 for all), got '" + host + "'");
  }

  private static void positive(String option, int value) {
    if (value <= 0) {
      throw new ConfigException("flink: --" + option + ": expected a positive integer, got '" + value + "'");
    }
  }
}
