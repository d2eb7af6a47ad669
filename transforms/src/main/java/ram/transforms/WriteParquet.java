package ram.transforms;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes Avro records as one Snappy-compressed Parquet file {@code <dir>/<prefix>-00000-of-00001.parquet}.
 * Beam writes to a temporary file and renames it when the bundle is complete.
 */
public final class WriteParquet<T extends SpecificRecord> extends PTransform<PCollection<T>, PDone> {

  private final String directory;
  private final String prefix;
  private final String schemaJson;

  private WriteParquet(String directory, String prefix, Schema schema) {
    this.directory = directory;
    this.prefix = prefix;
    this.schemaJson = schema.toString();
  }

  public static <T extends SpecificRecord> WriteParquet<T> to(String directory, String prefix, Schema schema) {
    return new WriteParquet<>(directory, prefix, schema);
  }

  @Override
  public PDone expand(PCollection<T> records) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    records
        .apply("AsGenericRecord", MapElements.into(TypeDescriptor.of(GenericRecord.class)).via((T r) -> (GenericRecord) r))
        .setCoder(AvroCoder.of(GenericRecord.class, schema))
        .apply("WriteFile", FileIO.<GenericRecord>write()
            .via(ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY))
            .to(directory)
            .withPrefix(prefix)
            .withSuffix(".parquet")
            .withNumShards(1));
    return PDone.in(records.getPipeline());
  }
}
