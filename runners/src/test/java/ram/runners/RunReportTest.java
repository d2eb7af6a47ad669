package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.report.Report;
import ram.runners.report.SvgChart;
import ram.runners.train.Progress;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;

/**
 * What a person sees of a small real run (toy2d, 3 epochs, DirectRunner): {@code report.html}
 * leads with the reward and the evaluation, then the update's diagnostics, then the costs; its
 * charts have labelled axes that span the run's values; it shows samples of every epoch; and
 * while the run ran, each epoch's stages were printed in pipeline order with the run's ETA.
 */
class RunReportTest {

  @TempDir static Path tmp;
  static Path run;
  static String output;
  static String html;
  static List<RunMetrics.Row> rows;

  @BeforeAll
  static void train() throws Exception {
    run = tmp.resolve("run");
    output = ToyTrainingEndToEndTest.train(new String[] {"train", "toy2d", "--output_dir", run.toString(), "--runner", "direct",
        "--epochs", "3", "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "2",
        "--eval_samples", "200", "--eval_every", "1", "--parallelism", "2"});
    html = Files.readString(run.resolve("report.html"));
    rows = new RunMetrics(new RunDirectory(run)).rows(3);
  }

  /** The part of the page from the heading with {@code id} to the next heading. */
  static String section(String id) {
    int start = html.indexOf("<h2 id='" + id + "'>");
    assertTrue(start >= 0, "no section " + id);
    int end = html.indexOf("<h2", start + 1);
    return html.substring(start, end < 0 ? html.length() : end);
  }

  @Test
  void rewardAndEvaluationComeFirstThenDiagnosticsThenCosts() {
    List<Integer> at = new ArrayList<>();
    for (String id : List.of("reward", "evaluation", "samples", "diagnostics", "costs", "config")) {
      at.add(html.indexOf("<h2 id='" + id + "'>"));
    }
    assertTrue(at.get(0) > 0, "a reward section");
    for (int i = 1; i < at.size(); i++) {
      assertTrue(at.get(i) > at.get(i - 1), "sections out of order: " + at);
    }
    assertTrue(section("reward").contains("<b>training reward</b>"), section("reward"));
    assertTrue(section("evaluation").contains("<b>held-out evaluation</b>"));
    assertTrue(section("evaluation").contains("<th>eval_toy2d_mean</th>"), "the evaluations' table");
    for (String diagnostic : List.of("loss", "drift_to_reference", "frac_flipped")) {
      assertTrue(section("diagnostics").contains("<b>" + diagnostic + "</b>"), diagnostic);
    }
    for (String cost : List.of("pipeline_seconds", "compute_seconds", "driver_peak_rss_mb")) {
      assertTrue(section("costs").contains(cost), cost);
      assertFalse(html.substring(0, html.indexOf("<h2 id='costs'>")).contains(cost), cost + " before the costs");
    }
  }

  static final Pattern SVG = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL);
  static final Pattern TICK = Pattern.compile("<text class='tick' x='[^']*' y='[^']*' text-anchor='(middle|end)'>([^<]*)</text>");
  static final Pattern AXIS = Pattern.compile("<text class='axis'[^>]*>([^<]*)</text>");

  /** The first chart of a section: its x tick labels, y tick labels and axis titles. */
  record Axes(List<String> x, List<Double> y, List<String> titles) {
    static Axes of(String section) {
      Matcher svg = SVG.matcher(section);
      assertTrue(svg.find(), "no chart in " + section);
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      Matcher t = TICK.matcher(svg.group());
      while (t.find()) {
        if (t.group(1).equals("middle")) {
          x.add(t.group(2));
        } else {
          y.add(Double.parseDouble(t.group(2)));
        }
      }
      List<String> titles = new ArrayList<>();
      Matcher a = AXIS.matcher(svg.group());
      while (a.find()) {
        titles.add(a.group(1));
      }
      return new Axes(x, y, titles);
    }
  }

  @Test
  void chartsHaveEpochTicksValueTicksSpanningTheDataAndUnits() {
    Axes reward = Axes.of(section("reward"));
    assertEquals(List.of("1", "2", "3"), reward.x());
    assertEquals(List.of("epoch", "reward"), reward.titles());
    assertTrue(reward.y().size() >= 3, "y ticks: " + reward.y());
    for (int i = 1; i < reward.y().size(); i++) {
      assertTrue(reward.y().get(i) > reward.y().get(i - 1), "y ticks rise: " + reward.y());
    }
    for (int e = 1; e <= 3; e++) {
      double mean = RunMetrics.epochValue(rows, e, "reward_mean");
      double std = RunMetrics.epochValue(rows, e, "reward_std");
      assertTrue(reward.y().get(0) <= mean - std && mean + std <= reward.y().get(reward.y().size() - 1),
          "epoch " + e + " reward " + mean + " +- " + std + " within the axis " + reward.y());
    }
    Axes evaluation = Axes.of(section("evaluation"));
    assertEquals(List.of("0", "1", "2", "3"), evaluation.x(), "the base's evaluation at epoch 0");
    assertEquals(List.of("epoch", "reward"), evaluation.titles());
    assertEquals(List.of("epoch", "s"), Axes.of(section("costs")).titles(), "time per epoch in seconds");
    String memory = section("costs").substring(section("costs").indexOf("<b>driver_peak_rss_mb</b>"));
    assertEquals(List.of("epoch", "MB"), Axes.of(memory).titles());
    double peak = RunMetrics.epochValue(rows, 3, "driver_peak_rss_mb");
    List<Double> mb = Axes.of(memory).y();
    assertTrue(mb.get(0) <= peak && peak <= mb.get(mb.size() - 1), peak + " MB within " + mb);
  }

  @Test
  void everyEpochsSamplesAreShownAsAScatterOfItsPoints() {
    String samples = section("samples");
    for (int e = 1; e <= 3; e++) {
      int at = samples.indexOf("<b>epoch " + e + " samples</b>");
      assertTrue(at >= 0, "no panel of epoch " + e);
      Matcher svg = SVG.matcher(samples.substring(at));
      assertTrue(svg.find());
      int circles = svg.group().split("<circle", -1).length - 1;
      assertEquals(4 * 8 + 1, circles, "epoch " + e + ": its 32 samples and the reward's circle");
      assertTrue(TICK.matcher(svg.group()).find(), "the scatter has ticks");
    }
  }

  @Test
  void thePageHasOnlyItsOwnMarkup() throws Exception {
    HostileStoreTest.Page.parse(html).assertOnlyItsOwnMarkup();
  }

  @Test
  void sampleEpochsRunFromTheFirstToTheLastAtMostSix() {
    assertEquals(List.of(), Report.sampleEpochs(0));
    assertEquals(List.of(1), Report.sampleEpochs(1));
    assertEquals(List.of(1, 2, 3), Report.sampleEpochs(3));
    assertEquals(List.of(1, 5, 9, 12, 16, 20), Report.sampleEpochs(20));
  }

  @Test
  void ticksAreRoundNumbersAroundTheValues() {
    SvgChart.Axis a = SvgChart.Axis.of(0.251, 0.389);
    assertEquals(List.of("0.25", "0.30", "0.35", "0.40"), a.labels());
    SvgChart.Axis b = SvgChart.Axis.of(812, 1967);
    assertEquals(List.of("800", "1000", "1200", "1400", "1600", "1800", "2000"), b.labels());
    assertEquals(List.of("1", "2", "3"), SvgChart.Axis.epochs(1, 3).labels());
    assertEquals(List.of("0", "5", "10", "15", "20"), SvgChart.Axis.epochs(0, 20).labels());
  }

  @Test
  void eachEpochPrintedItsStagesInPipelineOrderAndTheRunsEta() {
    Pattern stage = Pattern.compile("  epoch (\\d)/3: (sample|reward|advantage|gradient step|update|checkpoint)( (\\d)/2)?, (\\S+) in; (.*)");
    int[] lines = new int[4];
    int lastEpoch = 0;
    int lastRank = -1;
    for (String line : output.lines().toList()) {
      Matcher m = stage.matcher(line);
      if (line.startsWith("  epoch ") && !m.matches()) {
        throw new AssertionError("a stage line of another form: " + line);
      }
      if (m.matches()) {
        int epoch = Integer.parseInt(m.group(1));
        Progress.Stage s = Progress.Stage.valueOf(m.group(2).replace(" step", "").toUpperCase(java.util.Locale.ROOT));
        int rank = new Progress.Position(s, m.group(4) == null ? 0 : Integer.parseInt(m.group(4)), 2).rank();
        assertTrue(epoch > lastEpoch || rank > lastRank, "stages out of order at: " + line);
        assertEquals(epoch == 1 ? "ETA after the first epoch" : "ETA", epoch == 1 ? m.group(6) : m.group(6).substring(0, 3), line);
        lastEpoch = epoch;
        lastRank = rank;
        lines[epoch]++;
      }
    }
    for (int e = 1; e <= 3; e++) {
      assertTrue(lines[e] >= 1, "epoch " + e + " printed no stage:\n" + output);
    }
    assertTrue(output.contains("  1 of 3 epochs done, "), output);
    assertTrue(Pattern.compile("  2 of 3 epochs done, \\S+ per epoch; ETA \\S+ \\(finish ~\\d\\d:\\d\\d\\)").matcher(output).find(), output);
    assertFalse(output.contains("3 of 3 epochs done"), "no ETA after the last epoch");
  }
}
