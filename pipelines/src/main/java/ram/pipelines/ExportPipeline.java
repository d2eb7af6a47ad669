package ram.pipelines;

import java.util.List;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;

import ram.schemas.Advantage;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ExportTable;
import ram.transforms.JoinExportRows;
import ram.transforms.ReadRecords;
import ram.transforms.WriteExport;

/**
 * Exports stored samples as a dataset: samples joined with their rewards and advantages, image
 * endpoints as PNG files.
 *
 * <pre>
 * ReadSamples, ReadRewards, ReadAdvantages -> JoinExportRows (min-reward filter) -> WriteExport (PNGs + table)
 * </pre>
 */
public final class ExportPipeline {

  /** What to export: the store's files, the filter and the output. */
  public record Spec(List<String> sampleFiles, List<String> rewardFiles, List<String> advantageFiles, String minRewardName,
      double minRewardValue, String directory, ExportTable.Format format, List<String> rewardNames, boolean images) {}

  private ExportPipeline() {}

  public static void build(Pipeline p, Spec spec) {
    PCollectionTuple stored = PCollectionTuple
        .of(JoinExportRows.SAMPLES, p.apply("ReadSamples", ReadRecords.of(Sample.class, spec.sampleFiles())));
    if (!spec.rewardFiles().isEmpty()) {
      stored = stored.and(JoinExportRows.REWARDS, p.apply("ReadRewards", ReadRecords.of(Reward.class, spec.rewardFiles())));
    }
    if (!spec.advantageFiles().isEmpty()) {
      stored = stored.and(JoinExportRows.ADVANTAGES, p.apply("ReadAdvantages", ReadRecords.of(Advantage.class, spec.advantageFiles())));
    }
    stored.apply("JoinExportRows", new JoinExportRows(spec.minRewardName(), spec.minRewardValue()))
        .apply("WriteExport", new WriteExport(spec.directory(), spec.format(), spec.rewardNames(), spec.images()));
  }
}
