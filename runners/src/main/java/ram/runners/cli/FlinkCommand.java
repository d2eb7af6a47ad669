package ram.runners.cli;

import ram.runners.cluster.EmbeddedFlinkCluster;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.store.OwnedDirectory;
import ram.config.ConfigException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ram flink start|stop|status [--taskmanagers N] [--slots S] [--port P] [--bind_host H]
 * [--dir DIR]}: a local Flink 1.19 session cluster ({@link FlinkSessionCluster}) to run training
 * and the store pipelines on with {@code --flink_master 127.0.0.1:P}. Its listeners bind to the
 * loopback address unless {@code --bind_host} names another address of the host.
 */
final class FlinkCommand {

  private FlinkCommand() {}

  static void run(String[] args, Path home, PrintStream out) {
    ToolArgs a = ToolArgs.parse(args, Set.of("taskmanagers", "slots", "port", "bind_host", "dir"));
    if (!a.overrides.isEmpty()) {
      throw new ConfigException("flink: unknown option --" + a.overrides.keySet().iterator().next()
          + "; options: --taskmanagers N, --slots S, --port P, --bind_host H, --dir DIR");
    }
    String action = a.onePositional("flink", "action (start, stop or status)");
    Path dir = a.options.containsKey("dir") ? Path.of(a.options.get("dir")) : home.resolve("outputs/flink");
    FlinkSessionCluster cluster = new FlinkSessionCluster(dir);
    if (!action.equals("start") && java.nio.file.Files.exists(dir)) {
      // stop and status read and delete pid files under run/: only in a cluster directory ram made
      OwnedDirectory.requireClaimable(dir, OwnedDirectory.Kind.FLINK_CLUSTER, "flink " + action + " --dir");
    }
    switch (action) {
      case "start" -> {
        int taskManagers = positive(a, "taskmanagers", 1);
        int slots = positive(a, "slots", 2);
        int port = a.options.containsKey("port") ? positive(a, "port", 8081) : 8081;
        String bindHost = bindHost(a);
        OwnedDirectory.claim(dir, OwnedDirectory.Kind.FLINK_CLUSTER, "flink start --dir");
        long t0 = System.nanoTime();
        FlinkSessionCluster.Overview o = cluster.start(taskManagers, slots, port, bindHost, out);
        out.printf("Flink %s session cluster up in %.1f s: %d TaskManager(s), %d slots, REST at http://%s (state and logs in %s)%n",
            o.version(), (System.nanoTime() - t0) / 1e9, o.taskManagers(), o.slots(), cluster.master(), cluster.dir());
        out.printf("Flink dashboard: http://%s/%n", cluster.master());
        out.printf("run on it with: ./ram train toy2d --flink_master %s --parallelism %d%n", cluster.master(), o.slots());
      }
      case "stop" -> {
        int stopped = cluster.stop(out);
        out.println(stopped == 0 ? "no Flink cluster running from " + cluster.dir() : "stopped " + stopped + " Flink process(es)");
      }
      case "status" -> {
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
      }
      default -> throw new ConfigException("flink: unknown action '" + action + "'; expected start, stop or status");
    }
  }

  /** {@code --bind_host}: loopback by default, else an address of one of the host's interfaces, or a wildcard. */
  private static String bindHost(ToolArgs a) {
    String host = a.options.getOrDefault("bind_host", EmbeddedFlinkCluster.LOOPBACK);
    try {
      InetAddress address = InetAddress.getByName(host);
      if (!host.isBlank() && (address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null)) {
        return host;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new ConfigException("flink: --bind_host: expected an address of this host's network interfaces (default "
        + EmbeddedFlinkCluster.LOOPBACK + ", 0.0.0.0 for all), got '" + host + "'");
  }

  private static int positive(ToolArgs a, String key, int fallback) {
    String v = a.options.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("flink: --" + key + ": expected a positive integer, got '" + v + "'");
  }
}
