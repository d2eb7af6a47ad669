package ram.runners.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.model.DurableFiles;
import ram.runners.train.RunDirectory;

/**
 * Publishes several finished outputs inside one owned directory as a whole. The new outputs are
 * first written completely under names ram chose (staging); then a journal listing every move is
 * made durable, which is the commit point; then each move puts the new output in place (the old
 * one, if any, renamed aside first) and the journal is removed. A crash before the commit leaves
 * the old state and staging that the next run discards; a crash after it is rolled forward by the
 * next run of the command ({@link #recover}), so readers end with the old state or the new, never
 * a mix. Every step is a rename inside the owned directory, so nothing outside it is touched.
 */
public final class PublishJournal {

  /** The journal's file name inside the owned directory. */
  public static final String FILE = ".ram-publish.json";

  /**
   * One move: {@code staged} (absent: the output is removed) replaces {@code target}, whose old
   * version goes to {@code aside} first and is deleted at the end. All three lie inside the owned
   * directory.
   */
  public record Move(Path staged, Path target, Path aside) {}

  private PublishJournal() {}

  /** Commits {@code moves} in {@code owned} and carries them out; {@code afterStep} runs after each move (crash tests). */
  public static void publish(Path owned, List<Move> moves, Consumer<Integer> afterStep) {
    for (Move m : moves) {
      if (m.staged() != null) {
        DurableFiles.syncTree(m.staged());
      }
    }
    JsonArray list = new JsonArray();
    for (Move m : moves) {
      JsonObject o = new JsonObject();
      o.addProperty("staged", m.staged() == null ? null : owned.relativize(m.staged()).toString());
      o.addProperty("target", owned.relativize(m.target()).toString());
      o.addProperty("aside", owned.relativize(m.aside()).toString());
      list.add(o);
    }
    DurableFiles.write(owned.resolve(FILE), (list + "\n").getBytes(StandardCharsets.UTF_8));
    carryOut(owned, moves, afterStep);
  }

  /** Rolls forward a publication that a crash interrupted after its commit; a no-op without a journal. */
  public static boolean recover(Path owned) {
    Path journal = owned.resolve(FILE);
    if (!Files.isRegularFile(journal)) {
      return false;
    }
    List<Move> moves = new ArrayList<>();
    try {
      for (JsonElement e : JsonParser.parseString(Files.readString(journal, StandardCharsets.UTF_8)).getAsJsonArray()) {
        JsonObject o = e.getAsJsonObject();
        moves.add(new Move(o.get("staged").isJsonNull() ? null : inside(owned, o.get("staged").getAsString()),
            inside(owned, o.get("target").getAsString()), inside(owned, o.get("aside").getAsString())));
      }
    } catch (IOException | RuntimeException e) {
      // The journal is made durable before any move, so an unreadable one was never committed.
      delete(journal);
      return false;
    }
    carryOut(owned, moves, step -> {});
    return true;
  }

  private static void carryOut(Path owned, List<Move> moves, Consumer<Integer> afterStep) {
    int step = 0;
    for (Move m : moves) {
      boolean pending = m.staged() == null ? Files.exists(m.target()) : Files.exists(m.staged());
      if (pending) {
        if (Files.exists(m.target())) {
          if (Files.exists(m.aside())) {
            RunDirectory.deleteTree(m.aside());
          }
          createParent(m.aside());
          DurableFiles.rename(m.target(), m.aside());
        }
        if (m.staged() != null) {
          DurableFiles.rename(m.staged(), m.target());
        }
      }
      afterStep.accept(++step);
    }
    for (Move m : moves) {
      RunDirectory.deleteTree(m.aside());
    }
    delete(owned.resolve(FILE));
    DurableFiles.sync(owned);
  }

  /** A path from the journal, which must stay inside the owned directory. */
  private static Path inside(Path owned, String relative) {
    Path p = owned.resolve(relative).normalize();
    if (!p.startsWith(owned) || p.equals(owned)) {
      throw new IllegalArgumentException(owned.resolve(FILE) + ": a move leaves the directory: " + relative);
    }
    return p;
  }

  private static void createParent(Path p) {
    try {
      Files.createDirectories(p.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + p.getParent() + ": " + e.getMessage(), e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
