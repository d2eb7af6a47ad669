package ram.runners.store;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.google.gson.GsonBuilder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.pipelines.ExportPipeline;
import ram.runners.cluster.Runners;
import ram.runners.train.RunDirectory;
import ram.schemas.Advantage;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ExportTable;
import ram.transforms.ParquetRecords;
import ram.transforms.SafeNames;
import ram.transforms.Tensors;

/**
 * {@code ram export <run directory | samples path> --to DIR --format parquet|csv|jsonl|imagefolder
 * [--epochs 3..7] [--min_reward NAME=VALUE]}: the stored samples joined with all their rewards
 * and advantages as a dataset, image samples as PNG files ({@code imagefolder} is the Hugging Face
 * datasets layout: the images plus {@code metadata.jsonl}). One Beam pipeline; the export is
 * written under {@code DIR.partial} and renamed into place, so DIR is complete or absent.
 */
public final class Export {

  static final String MANIFEST = "export.json";

  private Export() {}

  /**
   * Exports the samples under {@code source} to {@code to} as {@code format}: only the epochs in
   * {@code epochs} (see {@link #selectEpochs}; null: all) and, with {@code minReward}
   * ({@code NAME=VALUE}; null: none), the samples whose reward NAME is at least VALUE.
   */
  public static void run(Path source, Path to, ExportTable.Format format, String epochs, String minReward, RunConfig runner,
      PrintStream out) {
    List<SampleStore.Unit> units = selectEpochs(SampleStore.resolve(source), epochs, source);

    List<Path> samples = new ArrayList<>();
    List<Path> rewards = new ArrayList<>();
    List<Path> advantages = new ArrayList<>();
    TreeSet<String> rewardNames = new TreeSet<>();
    int sampleCount = 0;
    boolean images = false;
    Map<String, Path> fileOfId = new HashMap<>();
    for (SampleStore.Unit u : units) {
      for (Path f : u.samples()) {
        for (Sample s : ParquetRecords.readAs(f.toString(), Sample.class)) { // a bad file fails here, by name
          sampleCount++;
          boolean image = ExportTable.isImage(Tensors.shape(Tensors.image(s)));
          checkSampleId(s.getSampleId(), image, f, fileOfId);
          images |= image;
        }
        samples.add(f);
      }
      for (List<Path> files : u.rewards().values()) {
        for (Path f : files) {
          ParquetRecords.readAs(f.toString(), Reward.class).forEach(r -> rewardNames.add(r.getRewardName()));
          rewards.add(f);
        }
      }
      for (Path f : u.advantages()) {
        ParquetRecords.readAs(f.toString(), Advantage.class);
        advantages.add(f);
      }
    }
    String minName = null;
    double minValue = 0;
    if (minReward != null) {
      String[] kv = minReward.split("=", 2);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new ConfigException("export: --min_reward: expected NAME=VALUE, e.g. ocr=0.5, got '" + minReward + "'");
      }
      minName = kv[0].strip();
      if (!rewardNames.contains(minName)) {
        throw new ConfigException("export: --min_reward: no reward '" + minName + "' is stored under " + source + "; stored: " + rewardNames);
      }
      try {
        minValue = Double.parseDouble(kv[1].strip());
      } catch (NumberFormatException e) {
        throw new ConfigException("export: --min_reward: expected a number after '=', got '" + kv[1] + "'");
      }
    }
    try (StagedOutput output = StagedOutput.open(to, OwnedDirectory.Kind.EXPORT, "export", "--to")) {
      out.printf("export %d samples (%d unit(s)) of %s as %s to %s%n", sampleCount, units.size(), source,
          format.name().toLowerCase(), to);
      Path partial = output.staging();
      long t0 = System.nanoTime();
      ExportPipeline.Spec spec = new ExportPipeline.Spec(SampleStore.uris(samples), SampleStore.uris(rewards),
          SampleStore.uris(advantages), minName, minValue, partial.toString(), format, new ArrayList<>(rewardNames), images);
      Pipeline p = Pipeline.create(Runners.options(runner, "ram-export", null));
      ExportPipeline.build(p, spec);
      PipelineResult.State state = Runners.runToEnd(p);
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the export pipeline ended in state " + state);
      }
      Path table = partial.resolve(format.fileName);
      if (!Files.exists(table)) { // every sample was filtered out: an empty table, still with its header
        ExportTable.write(List.of(), table.toString(), format, new ArrayList<>(rewardNames), images);
      }
      int rows = countRows(table, format);
      int pngs = countPngs(partial.resolve("images"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("source", source.toAbsolutePath().normalize().toString());
      manifest.put("format", format.name().toLowerCase());
      manifest.put("table", format.fileName);
      manifest.put("epochs", units.stream().map(SampleStore.Unit::epoch).toList());
      manifest.put("min_reward", minName == null ? null : minName + "=" + minValue);
      manifest.put("rows", rows);
      manifest.put("images", pngs);
      manifest.put("columns", ExportTable.columnNames(new ArrayList<>(rewardNames), images));
      RunDirectory.writeAtomically(partial.resolve(MANIFEST), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(manifest) + "\n");
      output.publish();
      out.printf("RESULT export_rows=%d%n", rows);
      out.printf("RESULT export_images=%d%n", pngs);
      out.printf("RESULT export_samples_per_second=%.1f%n", sampleCount / seconds);
      out.printf("wrote %s (%d rows, %d PNGs) in %.1f s%n", to.resolve(format.fileName), rows, pngs, seconds);
    } catch (IOException e) {
      throw new UncheckedIOException("export to " + to + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses, before anything is written, a sample id that the export cannot keep apart: one seen
   * before ({@code fileOfId}, which this records it in) would overwrite the other's row and PNG,
   * and an image sample's id that is not a {@link SafeNames safe file name} would put its PNG
   * outside {@code images/}.
   */
  private static void checkSampleId(String id, boolean image, Path file, Map<String, Path> fileOfId) {
    String where = "export: " + SafeNames.escape(file.toString()) + ": sample_id '" + SafeNames.shown(id) + "' ";
    Path earlier = fileOfId.putIfAbsent(id, file);
    if (earlier != null) {
      throw new ConfigException(where + "appears twice (" + (earlier.equals(file) ? "both in this file" : "also in "
          + SafeNames.escape(earlier.toString())) + "); each sample needs its own row and PNG");
    }
    String problem = image ? SafeNames.problem(id) : null;
    if (problem != null) {
      throw new ConfigException(where + problem + "; an image sample's id names its PNG file");
    }
  }

  /** Units whose epoch lies in {@code range} ({@code 5}, {@code 3..7}, {@code 3..}, {@code ..7}); all if null. */
  static List<SampleStore.Unit> selectEpochs(List<SampleStore.Unit> units, String range, Path source) {
    if (range == null) {
      return units;
    }
    int from;
    int until;
    try {
      String[] ends = range.contains("..") ? range.split("\\.\\.", -1) : new String[] {range, range};
      from = ends[0].isBlank() ? 0 : Integer.parseInt(ends[0].strip());
      until = ends[1].isBlank() ? Integer.MAX_VALUE : Integer.parseInt(ends[1].strip());
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new ConfigException("export: --epochs: expected N, A..B, A.. or ..B, got '" + range + "'");
    }
    List<SampleStore.Unit> kept = units.stream().filter(u -> u.epoch() >= from && u.epoch() <= until).toList();
    if (kept.isEmpty()) {
      throw new ConfigException("export: --epochs " + range + ": no published epoch of " + source + " in that range; it has "
          + units.stream().map(SampleStore.Unit::epoch).toList());
    }
    return kept;
  }

  private static int countRows(Path table, ExportTable.Format format) throws IOException {
    if (format == ExportTable.Format.PARQUET) {
      return ParquetRecords.read(table.toString()).size();
    }
    try (Stream<String> lines = Files.lines(table)) {
      long n = lines.filter(l -> !l.isEmpty()).count();
      return (int) (format == ExportTable.Format.CSV ? n - 1 : n);
    }
  }

  private static int countPngs(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.filter(p -> p.getFileName().toString().endsWith(".png")).count();
    }
  }
}
