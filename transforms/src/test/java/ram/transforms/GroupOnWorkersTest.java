package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

/**
 * Whatever keys a runner's {@link GroupKeys} give the shuffle, groups come back under their own
 * indices with their own elements.
 */
class GroupOnWorkersTest {

  private static final GroupKeys SCATTERED = group -> 1000 - 7 * group;

  /** What the Direct runner's workers of one test saw; the runner runs in this JVM. */
  private static final Queue<String> SEEN = new ConcurrentLinkedQueue<>();

  private static final class Collect<T> extends DoFn<T, Void> {
    @ProcessElement
    public void process(@Element T element) {
      SEEN.add(String.valueOf(element));
    }
  }

  private static List<String> seen() {
    List<String> out = new ArrayList<>(SEEN);
    out.sort(null);
    return out;
  }

  private static PCollection<KV<Integer, String>> elements(Pipeline p, int groups) {
    List<KV<Integer, String>> in = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      in.add(KV.of(g, "prompt " + g));
    }
    return p.apply(Create.of(in).withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())));
  }

  @Test
  void spreadElementsKeepTheirGroupIndices() {
    Pipeline p = Pipeline.create();
    PCollection<KV<Integer, String>> spread = elements(p, 8).apply(GroupOnWorkers.spread(SCATTERED, 8));
    List<KV<Integer, String>> expected = new ArrayList<>();
    for (int g = 0; g < 8; g++) {
      expected.add(KV.of(g, "prompt " + g));
    }
    SEEN.clear();
    spread.apply(ParDo.of(new Collect<>()));
    p.run().waitUntilFinish();
    List<String> want = new ArrayList<>();
    expected.forEach(kv -> want.add(String.valueOf(kv)));
    want.sort(null);
    assertEquals(want, seen());
  }

  @Test
  void groupsComeBackUnderTheirIndices() {
    Pipeline p = Pipeline.create();
    PCollection<KV<Integer, String>> twice = elements(p, 5).apply(MapElements
        .into(TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.strings()))
        .via((KV<Integer, String> kv) -> KV.of(kv.getKey() % 3, kv.getValue())))
        .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()));
    PCollection<String> grouped = twice.apply(new GroupOnWorkers<>(SCATTERED, 3))
        .apply(MapElements.into(TypeDescriptors.strings()).via((KV<Integer, Iterable<String>> kv) -> {
          List<String> members = new ArrayList<>();
          kv.getValue().forEach(members::add);
          members.sort(null);
          return kv.getKey() + ": " + String.join(", ", members);
        }));
    SEEN.clear();
    grouped.apply(ParDo.of(new Collect<>()));
    p.run().waitUntilFinish();
    assertEquals(List.of("0: prompt 0, prompt 3", "1: prompt 1, prompt 4", "2: prompt 2"), seen());
  }
}
