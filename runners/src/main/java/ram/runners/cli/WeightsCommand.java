package ram.runners.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import com.google.gson.JsonObject;

import ram.config.ConfigException;
import ram.model.Checkpoint;
import ram.model.ParameterSet;
import ram.model.SafeTensors;

/**
 * {@code ram weights export <checkpoint> --to FILE.safetensors [--tensor theta|ema]}: a checkpoint's weights as a
 * safetensors file keyed by parameter name ({@link SafeTensors}), so other tools can load what ram trained. A LoRA
 * checkpoint's adapters are exported as stored.
 */
@Command(name = "weights", synopsisSubcommandLabel = "export", description = "a checkpoint's weights as a safetensors file",
    subcommands = {WeightsCommand.Export.class})
final class WeightsCommand implements Callable<Integer> {

  @ParentCommand private Main ram;

  @Override
  public Integer call() {
    throw new ConfigException("weights: missing the action: export (see ./ram weights --help)");
  }

  /** {@code weights export}: theta (or the EMA) of a verified checkpoint, written as safetensors to a new file. */
  @Command(name = "export", description = "theta or the EMA of a checkpoint as FILE.safetensors (F32, keyed by parameter name)")
  static final class Export implements Callable<Integer> {

    @ParentCommand private WeightsCommand weights;

    @Parameters(paramLabel = "<checkpoint>", description = "a checkpoint directory: a base (e.g. models/toy2d/base) or an epoch's checkpoint/")
    private String checkpoint;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "the file to write, which must not exist yet")
    private String to;

    @Option(names = "--tensor", defaultValue = "theta", paramLabel = "theta|ema",
        description = "the policy's weights or, of a training checkpoint, their EMA (default: ${DEFAULT-VALUE})")
    private String tensor;

    @Override
    public Integer call() {
      if (!tensor.equals("theta") && !tensor.equals("ema")) {
        throw new ConfigException("weights export: --tensor must be theta or ema, got '" + tensor + "'");
      }
      Main ram = weights.ram;
      Path dir = SampleCommand.resolve(ram.home(), checkpoint, true);
      Path file = SampleCommand.resolve(ram.home(), to, false);
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new ConfigException("weights export: " + file + " already exists; ram does not overwrite a file it did not write"
            + " (choose another --to)");
      }
      Map<String, byte[]> files = Checkpoint.readDirectory(dir);
      JsonObject manifest = Checkpoint.verify(files, dir.toString());
      String kind = manifest.get("kind").getAsString();
      if (tensor.equals("ema") && !kind.equals("training")) {
        throw new ConfigException("weights export: " + dir + " is a " + kind + " checkpoint, which holds theta only; --tensor ema needs a"
            + " training checkpoint (an epoch's checkpoint/)");
      }
      String name = tensor.equals("ema") ? Checkpoint.EMA : Checkpoint.THETA;
      ParameterSet params = Checkpoint.params(files, name, dir.toString());
      SafeTensors.write(params, Map.of("format", "pt", "architecture", manifest.get("architecture").getAsString(), "tensor", tensor,
          "params_sha256", Checkpoint.sha256(files.get(name))), file);
      ram.out().println("wrote " + file + ": " + params.names().size() + " tensors, " + params.size() + " parameters");
      return 0;
    }
  }
}
