package ram.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

import ram.model.Noise;
import ram.schemas.Prompt;

/**
 * Chooses the epoch's P prompts from a prompt set, deterministically for (run seed, epoch): a
 * seeded shuffle, reshuffled and repeated when P exceeds the set. Each chosen prompt gets a slot
 * number 0..P-1 that names its samples.
 */
public final class SelectPrompts extends PTransform<PBegin, PCollection<KV<Integer, Prompt>>> {

  private final List<Prompt> chosen;

  private SelectPrompts(List<Prompt> chosen) {
    this.chosen = chosen;
  }

  public static SelectPrompts from(List<Prompt> promptSet, long runSeed, int epoch, int count) {
    return new SelectPrompts(choose(promptSet, runSeed, epoch, count));
  }

  /** The deterministic choice, usable without a pipeline. */
  public static List<Prompt> choose(List<Prompt> promptSet, long runSeed, int epoch, int count) {
    if (promptSet.isEmpty()) {
      throw new IllegalArgumentException("the prompt set is empty");
    }
    SplittableRandom random = new SplittableRandom(Noise.seed(runSeed, epoch, 0x5e1ec7L));
    List<Prompt> out = new ArrayList<>(count);
    while (out.size() < count) {
      List<Prompt> round = new ArrayList<>(promptSet);
      for (int i = round.size() - 1; i > 0; i--) {
        java.util.Collections.swap(round, i, random.nextInt(i + 1));
      }
      out.addAll(round.subList(0, Math.min(round.size(), count - out.size())));
    }
    return out;
  }

  @Override
  public PCollection<KV<Integer, Prompt>> expand(PBegin begin) {
    List<KV<Integer, Prompt>> slots = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i++) {
      slots.add(KV.of(i, chosen.get(i)));
    }
    return begin.apply("Create", Create.of(slots).withCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.of(Prompt.class))));
  }
}
