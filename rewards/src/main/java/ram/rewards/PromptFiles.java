package ram.rewards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Reads and writes prompt sets stored as JSON Lines (one JSON object a line), the form of
 * {@code prompts/geneval/*.jsonl} and {@code prompts/ocr/*.jsonl}.
 */
public final class PromptFiles {

  /**
   * The largest prompt file read (256 MiB): a million prompts of a few hundred characters fit well
   * within it, and a file is held in memory several times over while it is parsed, so a larger one
   * (or one endless line) is refused by name before it is read instead of exhausting the heap.
   */
  public static final long MAX_FILE_BYTES = 256L << 20;

  private PromptFiles() {}

  /** Refuses a prompt file larger than {@link #MAX_FILE_BYTES}, naming the file, its size and the limit. */
  public static void requireReadableSize(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      return; // reading it reports the problem
    }
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(file + ": the prompt file is " + size + " bytes, above the limit of " + MAX_FILE_BYTES
          + " bytes (256 MiB)");
    }
  }

  /**
   * Parses every non-blank line of a file.
   *
   * @param parser gets the line's text and its location ("file:line") and throws
   *     IllegalArgumentException naming that location when the line is invalid
   */
  public static <T> List<T> read(Path file, BiFunction<String, String, T> parser) {
    requireReadableSize(file);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read prompt file " + file, e);
    }
    List<T> items = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        items.add(parser.apply(lines.get(i), file + ":" + (i + 1)));
      }
    }
    return items;
  }

  /** Writes one line per item (newline-terminated, UTF-8), creating parent folders. */
  public static void write(Path file, List<String> lines) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write prompt file " + file, e);
    }
  }

  /** Writes {@code train.jsonl} and {@code test.jsonl} into {@code dir} and says so on stdout. */
  public static void writeSplit(Path dir, List<String> train, List<String> test) {
    write(dir.resolve("train.jsonl"), train);
    write(dir.resolve("test.jsonl"), test);
    System.out.println("wrote " + train.size() + " train and " + test.size() + " test prompts to " + dir);
  }

  /**
   * Splits {@code total} into parts proportional to {@code weights} that sum to {@code total}
   * exactly (largest remainder; ties go to the earlier part).
   */
  public static int[] proportional(int total, int[] weights) {
    long weightSum = 0;
    for (int w : weights) {
      weightSum += w;
    }
    int[] parts = new int[weights.length];
    double[] remainders = new double[weights.length];
    int assigned = 0;
    for (int i = 0; i < weights.length; i++) {
      double exact = (double) total * weights[i] / weightSum;
      parts[i] = (int) Math.floor(exact);
      remainders[i] = exact - parts[i];
      assigned += parts[i];
    }
    for (; assigned < total; assigned++) {
      int best = 0;
      for (int i = 1; i < weights.length; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      parts[best]++;
      remainders[best] = -1;
    }
    return parts;
  }

  /**
   * Draws {@code count} items from a pool: each item once in a shuffled order, then again in a new
   * shuffled order when the pool is smaller than {@code count}.
   */
  public static <T> List<T> draw(List<T> pool, int count, java.util.Random random) {
    if (pool.isEmpty() && count > 0) {
      throw new IllegalArgumentException("cannot draw " + count + " items from an empty pool");
    }
    List<T> out = new ArrayList<>(count);
    List<T> round = new ArrayList<>(pool);
    while (out.size() < count) {
      java.util.Collections.shuffle(round, random);
      out.addAll(round.subList(0, Math.min(round.size(), count - out.size())));
    }
    return out;
  }
}
