package ram.runners.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;

import ram.config.RunConfig;
import ram.model.Noise;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.Canvas;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.TextRenderer;
import ram.runners.cli.Main;
import ram.runners.pretrain.WorldMixtureData;
import ram.runners.train.RunDirectory;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;
import ram.transforms.Tensors;
import ram.transforms.WriteParquet;

/**
 * {@code ram bench pipelines}: throughput of the store pipelines on the configured runner. Writes
 * a store of ground-truth renders of the held-out prompts of both worlds, then times
 * {@code rescore} with each image reward and {@code export} in each format over it, each a whole
 * command (one pipeline, its fixed cost included), as samples per second.
 */
final class StoreBench {

  private StoreBench() {}

  static void run(RunConfig config, Path home, PrintStream out) {
    int perWorld = 200;
    Path dir;
    try {
      dir = Files.createTempDirectory("ram-bench-store");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path unit = dir.resolve("unit");
      writeStore(home, unit, perWorld);
      int n = 2 * perWorld;
      List<String> runner = List.of("--runner", config.runtime().runner(), "--flink_master", config.runtime().flinkMaster(),
          "--parallelism", Integer.toString(config.runtime().parallelism()));
      for (String reward : List.of("geneval", "ocr", "compressibility")) {
        double s = time(home, concat(List.of("rescore", unit.toString(), "--reward", reward), runner));
        out.printf("BENCH pipelines rescore reward=%s samples=%d seconds=%.2f samples_per_second=%.1f runner=%s%n", reward, n, s, n / s,
            config.runtime().runner());
      }
      for (String format : List.of("parquet", "csv", "jsonl", "imagefolder")) {
        double s = time(home, concat(List.of("export", unit.toString(), "--to", dir.resolve("export-" + format).toString(),
            "--format", format), runner));
        out.printf("BENCH pipelines export format=%s samples=%d seconds=%.2f samples_per_second=%.1f runner=%s%n", format, n, s, n / s,
            config.runtime().runner());
      }
    } finally {
      RunDirectory.deleteTree(dir);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static double time(Path home, List<String> args) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    int code = Main.run(args.toArray(String[]::new), new PrintStream(log, true), new PrintStream(log, true));
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed:\n" + log);
    }
    return seconds;
  }

  /** Ground-truth renders of the first {@code perWorld} held-out prompts of each world, as one unit of samples. */
  static void writeStore(Path home, Path unit, int perWorld) {
    List<GenEvalPrompt> shapes = WorldMixtureData.readShapes(home.resolve("prompts/geneval/test.jsonl"));
    List<OcrPrompt> texts = WorldMixtureData.readTexts(home.resolve("prompts/ocr/test.jsonl"));
    ShapeRenderer shapeRenderer = new ShapeRenderer();
    TextRenderer textRenderer = new TextRenderer();
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 2 * perWorld; i++) {
      Random random = new Random(Noise.seed(7, i));
      boolean shape = i < perWorld;
      GenEvalPrompt g = shapes.get(i % shapes.size());
      OcrPrompt o = texts.get(i % texts.size());
      float[] pixels = ImageTensors.toTensor(shape ? shapeRenderer.render(g, random) : textRenderer.render(o.text(), random));
      samples.add(Sample.newBuilder().setSampleId(String.format("e000000-p%05d-g000", i)).setEpoch(0)
          .setPromptId((shape ? "geneval-" : "ocr-") + i).setPrompt(shape ? g.prompt() : o.prompt())
          .setTag(shape ? g.tag().toString().toLowerCase() : null)
          .setMetadataJson(shape ? g.toJson().toString() : o.toJson().toString()).setPromptSlot(i).setGroupIndex(0)
          .setSeed(i).setPolicyVersion(0).setPolicy("truth")
          .setSampler(SamplerSettings.newBuilder().setName("render").setSteps(0).setCfgScale(0).setTimeShift(1).build())
          .setEndpoint(Tensors.of(pixels, new int[] {3, Canvas.SIZE, Canvas.SIZE})).build());
    }
    PipelineOptions o = PipelineOptionsFactory.create();
    o.setRunner(DirectRunner.class);
    Pipeline p = Pipeline.create(o);
    p.apply(Create.of(samples).withCoder(AvroCoder.of(Sample.class)))
        .apply(WriteParquet.to(unit.resolve("samples").toString(), "samples", Sample.getClassSchema()));
    p.run().waitUntilFinish();
  }
}
