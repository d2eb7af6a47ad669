package ram.runners;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.swing.text.MutableAttributeSet;
import javax.swing.text.html.HTML;
import javax.swing.text.html.HTMLEditorKit;
import javax.swing.text.html.parser.ParserDelegator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.BadInputCorpusTest.Outcome;
import ram.runners.report.ComparisonReport;
import ram.runners.store.SampleStore;
import ram.runners.train.Comparison;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;
import ram.transforms.ParquetRecords;
import ram.transforms.Tensors;

/**
 * Hostile store contents and names: sample ids that would put an export's PNG outside
 * {@code images/} or over another sample's, prompt-set names that would put an evaluation's
 * directory elsewhere, and markup in values that {@code report.html} and
 * {@code comparison.html} embed. Each bad input is refused with exit code 2 and one exact line
 * naming its file and the value, and changes no byte of the directory around it; markup shows
 * as text and never becomes a tag.
 */
class HostileStoreTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;

  /** One bad input: the command and the exact error line it must give. */
  record Case(String what, String[] args, String error) {}

  /** A unit of image samples (3x4x4, all zero) with these ids, one Parquet file per list. */
  @SafeVarargs
  static Path store(String name, List<String>... files) {
    Path unit = tmp.resolve(name);
    for (int f = 0; f < files.length; f++) {
      List<Sample> samples = new ArrayList<>();
      for (String id : files[f]) {
        samples.add(Sample.newBuilder().setSampleId(id).setEpoch(0).setPromptId("p").setPrompt("").setTag(null)
            .setMetadataJson(null).setPromptSlot(0).setGroupIndex(samples.size()).setSeed(0).setPolicyVersion(0).setPolicy("truth")
            .setSampler(SamplerSettings.newBuilder().setName("render").setSteps(0).setCfgScale(0).setTimeShift(1).build())
            .setEndpoint(Tensors.of(new float[48], new int[] {3, 4, 4})).build());
      }
      ParquetRecords.writeAtomically(samplesFile(unit, f).toString(), Sample.getClassSchema(), samples);
    }
    return unit;
  }

  static Path samplesFile(Path unit, int index) {
    return unit.resolve(String.format("samples/part-%05d.parquet", index));
  }

  /** {@code export} of one image sample with {@code id}, and the error it must give. */
  static Case exportOne(String what, String id, String shown, String problem) {
    Path unit = store("export-" + what.replaceAll("\\W+", "-"), List.of("e000000-p00000-g000", id));
    return new Case(what, new String[] {"export", unit.toString(), "--to", tmp.resolve("export-out").toString()},
        "error: export: " + samplesFile(unit, 0) + ": sample_id '" + shown + "' " + problem
            + "; an image sample's id names its PNG file");
  }

  /** {@code evaluate} of the toy base on the prompt files (or set names) given, and the error it must give. */
  static Case evaluate(String what, String prompts, String error) {
    return new Case(what, new String[] {"evaluate", "toy2d", "--prompts", prompts, "--eval_samples", "8", "--out",
        tmp.resolve("eval-out").toString()}, "error: evaluate: " + error);
  }

  /** A one-prompt toy2d prompt file at {@code tmp/<dir>/<name>}. */
  static String promptFile(String dir, String name) throws IOException {
    Path file = tmp.resolve(dir).resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "{\"prompt_id\": \"group-000\", \"prompt\": \"\"}\n").toString();
  }

  static final String SEPARATOR = "contains a path separator ('/' or '\\')";
  static final String DOT = "names a directory ('.' or '..'), not a file";
  static final String CONTROL = "contains a control character";

  @Test
  void hostileNamesAreRefusedByNameAndChangeNothing() throws Exception {
    Path twice = store("export-duplicate-across-files", List.of("e000000-p00000-g000"), List.of("e000000-p00000-g000"));
    Path twiceInOne = store("export-duplicate-in-one-file", List.of("same", "same"));
    String held1 = promptFile("set-a", "held.jsonl");
    String held2 = promptFile("set-b", "held.jsonl");
    String bell = promptFile("sets", "x\u0007y.jsonl");
    List<Case> cases = List.of(
        exportOne("climbs out", "../../etc/x", "../../etc/x", SEPARATOR),
        exportOne("a subdirectory", "a/b", "a/b", SEPARATOR),
        exportOne("an absolute path", "/etc/passwd", "/etc/passwd", SEPARATOR),
        exportOne("a backslash", "a\\b", "a\\\\b", SEPARATOR),
        exportOne("the parent", "..", "..", DOT),
        exportOne("the directory itself", ".", ".", DOT),
        exportOne("a bell", "x\u0007y", "x\\u0007y", CONTROL),
        exportOne("a newline", "a\nb", "a\\u000ab", CONTROL),
        exportOne("empty", "", "", "is empty"),
        exportOne("overlong", "é".repeat(101), "é".repeat(80) + "...", "is 202 bytes long, more than 200"),
        new Case("duplicate across files", new String[] {"export", twice.toString(), "--to", tmp.resolve("export-out").toString()},
            "error: export: " + samplesFile(twice, 1) + ": sample_id 'e000000-p00000-g000' appears twice (also in "
                + samplesFile(twice, 0) + "); each sample needs its own row and PNG"),
        new Case("duplicate in one file", new String[] {"export", twiceInOne.toString(), "--to", tmp.resolve("export-out").toString()},
            "error: export: " + samplesFile(twiceInOne, 0) + ": sample_id 'same' appears twice (both in this file); "
                + "each sample needs its own row and PNG"),
        evaluate("set '..'", promptFile("sets", "...jsonl"), "--prompts " + tmp.resolve("sets/...jsonl")
            + ": the prompt set name '..' " + DOT + "; the file name without .jsonl names the set's output directory"),
        evaluate("set '.'", promptFile("sets", "..jsonl"), "--prompts " + tmp.resolve("sets/..jsonl")
            + ": the prompt set name '.' " + DOT + "; the file name without .jsonl names the set's output directory"),
        evaluate("empty set name", promptFile("sets", ".jsonl"), "--prompts " + tmp.resolve("sets/.jsonl")
            + ": the prompt set name '' is empty; the file name without .jsonl names the set's output directory"),
        evaluate("bell in the set name", bell, "--prompts " + tmp.resolve("sets") + "/x\\u0007y.jsonl: the prompt set name 'x\\u0007y' "
            + CONTROL + "; the file name without .jsonl names the set's output directory"),
        evaluate("backslash in the set name", promptFile("sets", "a\\b.jsonl"), "--prompts " + tmp.resolve("sets") + "/a\\\\b.jsonl: "
            + "the prompt set name 'a\\\\b' " + SEPARATOR + "; the file name without .jsonl names the set's output directory"),
        evaluate("a set name that is a path", "../toy2d", "--prompts: prompt set '../toy2d' " + SEPARATOR
            + "; expected a name in prompts/ or a .jsonl file"),
        evaluate("two sets of one name", held1 + "," + held2, "--prompts " + held2 + ": a prompt set named 'held' is given twice (also "
            + held1 + "); each set needs its own output directory"),
        evaluate("a set named as the results file", promptFile("sets", "results.json.jsonl"), "--prompts "
            + tmp.resolve("sets/results.json.jsonl") + ": the prompt set name 'results.json' ends in .png or .json, as the "
            + "evaluation's own files (<set>.png, results.json) do; rename the file"),
        new Case("compare task that is a path", new String[] {"compare", "../configs/geneval", "--out", tmp.resolve("compare").toString()},
            "error: compare: task '../configs/geneval' " + SEPARATOR + "; expected a config name in configs/ (it also names the "
                + "directory compare-<task>)"));

    assertAll(cases.stream().map(c -> () -> {
      Map<String, String> before = BadInputCorpusTest.snapshot(tmp);
      List<String> paths = paths(tmp);
      Outcome o = BadInputCorpusTest.ram(c.args());
      assertEquals(c.error(), o.err().strip(), c.what());
      assertEquals(2, o.code(), c.what() + ": " + o.err() + o.out());
      assertEquals(before, BadInputCorpusTest.snapshot(tmp), c.what() + ": a file changed");
      assertEquals(paths, paths(tmp), c.what() + ": a file or directory appeared or went");
    }));
  }

  @Test
  void aSafeCustomSetNameIsEvaluatedUnderItsName() throws Exception {
    Path out = tmp.resolve("good-eval");
    Outcome o = BadInputCorpusTest.ram("evaluate", "toy2d", "--prompts", promptFile("good", "held-out_v2.jsonl"), "--eval_samples",
        "8", "--out", out.toString());
    assertEquals(0, o.code(), o.err() + o.out());
    assertTrue(Files.isRegularFile(out.resolve("results.json")));
    assertFalse(SampleStore.parquetIn(out.resolve("held-out_v2/samples")).isEmpty(), "the set's samples are under its name");
  }

  @Test
  void markupInAConfigOrPathShowsAsTextInTheReport() throws Exception {
    Path evil = tmp.resolve("html/<script>alert(1)</script>");
    Path config = Files.writeString(Files.createDirectories(tmp.resolve("html")).resolve("<b onmouseover=alert(2)>toy.yaml"),
        Files.readString(HOME.resolve("configs/toy2d.yaml")));
    Outcome o = BadInputCorpusTest.ram("train", config.toString(), "--output_dir", evil.resolve("run").toString(), "--runner",
        "direct", "--epochs", "2", "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1",
        "--eval_samples", "0", "--prompts", promptFile("html/<i>alert(3)</i>", "prompts.jsonl"));
    assertEquals(0, o.code(), o.err() + o.out());
    Page page = Page.parse(Files.readString(evil.resolve("run/report.html")));
    assertTrue(page.text().contains("ram run: <b onmouseover=alert(2)>toy"), page.text());
    assertTrue(page.text().contains(evil.resolve("run").toString()), "the run directory shows as text");
    assertTrue(page.text().contains("prompts: " + tmp.resolve("html/<i>alert(3)</i>/prompts.jsonl")), "the config shows as text");
    page.assertOnlyItsOwnMarkup();
  }

  @Test
  void markupInATaskOrResultNameShowsAsTextInTheComparison() throws Exception {
    Path dir = tmp.resolve("comparison");
    Comparison c = new Comparison(List.of(new Comparison.Point(1, 2, 3.0, 0.5)), List.of(new Comparison.Point(1, 2, 4.0, 0.4)));
    ComparisonReport.write(dir, "<script>alert(4)</script>", c, Map.of("<img src=x onerror=alert(5)>", 1.0));
    Page page = Page.parse(Files.readString(dir.resolve("comparison.html")));
    assertTrue(page.text().contains("RAM vs Flow-GRPO on <script>alert(4)</script>"), page.text());
    assertTrue(page.text().contains("<img src=x onerror=alert(5)>"), page.text());
    page.assertOnlyItsOwnMarkup();
  }

  /** What a browser would see of a page: its tags, their attribute names, and its text. */
  record Page(String html, Set<String> tags, Set<String> attributes, String text) {

    static Page parse(String html) throws IOException {
      Set<String> tags = new TreeSet<>();
      Set<String> attributes = new TreeSet<>();
      StringBuilder text = new StringBuilder();
      HTMLEditorKit.ParserCallback callback = new HTMLEditorKit.ParserCallback() {
        @Override
        public void handleStartTag(HTML.Tag t, MutableAttributeSet a, int pos) {
          record(t, a);
        }

        @Override
        public void handleSimpleTag(HTML.Tag t, MutableAttributeSet a, int pos) {
          record(t, a);
        }

        @Override
        public void handleText(char[] data, int pos) {
          text.append(data).append('\n');
        }

        private void record(HTML.Tag t, MutableAttributeSet a) {
          tags.add(t.toString());
          for (Enumeration<?> names = a.getAttributeNames(); names.hasMoreElements();) {
            attributes.add(names.nextElement().toString());
          }
        }
      };
      new ParserDelegator().parse(new StringReader(html), callback, true);
      return new Page(html, tags, attributes, text.toString());
    }

    /** No script, no event handler, no tag the page's writer does not emit itself. */
    void assertOnlyItsOwnMarkup() {
      assertFalse(html.toLowerCase().contains("<script"), "a <script tag in the page");
      assertTrue(attributes.stream().noneMatch(a -> a.toLowerCase().startsWith("on")), "an event handler: " + attributes);
      Set<String> own = Set.of("html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "b", "br", "pre", "img",
          "table", "tr", "th", "td", "a", "svg", "rect", "polyline", "line", "text", "circle");
      assertTrue(own.containsAll(tags), "tags beyond the page's own: " + tags);
    }
  }

  static List<String> paths(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
