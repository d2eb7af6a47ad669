package ram.config;

import java.io.Serializable;
import java.util.List;

import ram.model.LoraNetwork;

/**
 * What training changes: every weight of the base, or low-rank adapters over the frozen base.
 *
 * @param lora whether only LoRA adapters train
 * @param rank the adapters' rank r
 * @param alpha the adapters add (alpha / r) A B to each target weight
 * @param targets regular expressions over layer names; a layer whose whole name matches one is adapted
 */
public record FinetuneSettings(boolean lora, int rank, double alpha, List<String> targets) implements Serializable {

  /** The adapters' configuration, or null for full fine-tuning. */
  public LoraNetwork.Config loraConfig() {
    return lora ? new LoraNetwork.Config(rank, alpha, targets) : null;
  }
}
