package ram.runners.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.runners.train.RunListing;

/** {@code ram runs [DIR]}: the runs under DIR, one line each ({@link RunListing}). */
@Command(name = "runs", description = "the runs under DIR (default outputs/): config, epochs, latest rewards, running or not")
final class RunsCommand implements Callable<Integer> {

  @ParentCommand private Main ram;

  @Parameters(paramLabel = "DIR", arity = "0..1", description = "a directory of run directories (default: outputs/ under the ram home)")
  private Path dir;

  @Override
  public Integer call() {
    Path listed = dir != null ? dir.toAbsolutePath().normalize() : ram.home().resolve("outputs");
    ram.out().print(RunListing.table(RunListing.list(listed), listed));
    return 0;
  }
}
