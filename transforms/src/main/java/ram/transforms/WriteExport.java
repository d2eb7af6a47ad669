package ram.transforms;

import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.schemas.ExportRow;

/**
 * Writes an export: each image row's PNG under {@code images/} (in parallel), and the whole
 * table as one file in the chosen {@link ExportTable.Format}, sorted so that a rerun writes the
 * same bytes.
 */
public final class WriteExport extends PTransform<PCollection<ExportRow>, PDone> {

  private final String directory;
  private final ExportTable.Format format;
  private final List<String> rewardNames;
  private final boolean images;

  public WriteExport(String directory, ExportTable.Format format, List<String> rewardNames, boolean images) {
    this.directory = directory;
    this.format = format;
    this.rewardNames = List.copyOf(rewardNames);
    this.images = images;
  }

  @Override
  public PDone expand(PCollection<ExportRow> rows) {
    if (images) {
      rows.apply("WritePngs", ParDo.of(new PngFn(directory)));
    }
    rows.apply("OneTable", WithKeys.<Integer, ExportRow>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Gather", GroupByKey.create())
        .apply("WriteTable", ParDo.of(new TableFn(StoreFiles.join(directory, format.fileName), format, new ArrayList<>(rewardNames), images)));
    return PDone.in(rows.getPipeline());
  }

  private static final class PngFn extends DoFn<ExportRow, Void> {
    private final String directory;

    PngFn(String directory) {
      this.directory = directory;
    }

    @ProcessElement
    public void process(@Element ExportRow row) {
      if (row.getFileName() != null) {
        SafeNames.require(row.getSampleId(), "sample_id", "export row"); // the command checked it; a PNG never leaves images/
        StoreFiles.writeAtomically(StoreFiles.join(directory, row.getFileName()), ExportTable.png(row));
      }
    }
  }

  private static final class TableFn extends DoFn<KV<Integer, Iterable<ExportRow>>, Void> {
    private final String uri;
    private final ExportTable.Format format;
    private final ArrayList<String> rewardNames;
    private final boolean images;

    TableFn(String uri, ExportTable.Format format, ArrayList<String> rewardNames, boolean images) {
      this.uri = uri;
      this.format = format;
      this.rewardNames = rewardNames;
      this.images = images;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<ExportRow>> all) {
      List<ExportRow> rows = new ArrayList<>();
      all.getValue().forEach(rows::add);
      ExportTable.write(rows, uri, format, rewardNames, images);
    }
  }
}
