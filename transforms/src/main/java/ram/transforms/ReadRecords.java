package ram.transforms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads stored records of one Avro type (samples, rewards, advantages) from a list of Parquet
 * files of the store, as the generated record class: the read side of {@link WriteParquet}.
 */
public final class ReadRecords<T extends SpecificRecord> extends PTransform<PBegin, PCollection<T>> {

  private final Class<T> type;
  private final List<String> files;

  private ReadRecords(Class<T> type, List<String> files) {
    this.type = type;
    this.files = List.copyOf(files);
  }

  /** Records of {@code type} from {@code files} (URIs or local paths). */
  public static <T extends SpecificRecord> ReadRecords<T> of(Class<T> type, List<String> files) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no Parquet files to read " + type.getSimpleName() + " records from");
    }
    return new ReadRecords<>(type, files);
  }

  @Override
  public PCollection<T> expand(PBegin begin) {
    Schema schema = schemaOf(type);
    return begin
        .apply("Files", Create.of(files))
        .apply("Match", FileIO.matchAll())
        .apply("Open", FileIO.readMatches())
        .apply("Parquet", ParquetIO.readFiles(schema))
        .apply("AsRecord", MapElements.via(new ToSpecific<>(type)))
        .setCoder(AvroCoder.of(type));
  }

  static Schema schemaOf(Class<? extends SpecificRecord> type) {
    try {
      return (Schema) type.getMethod("getClassSchema").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(type + " is not a generated Avro record class", e);
    }
  }

  /** A generic record of the store as the generated class (through Avro's binary encoding). */
  public static <T extends SpecificRecord> T toSpecific(GenericRecord record, Class<T> type) {
    Schema schema = schemaOf(type);
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
      return new SpecificDatumReader<T>(record.getSchema(), schema)
          .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a " + type.getSimpleName() + " record: " + e.getMessage(), e);
    }
  }

  private static final class ToSpecific<T extends SpecificRecord> extends SimpleFunction<GenericRecord, T> {
    private final Class<T> type;

    ToSpecific(Class<T> type) {
      this.type = type;
    }

    @Override
    public T apply(GenericRecord record) {
      return toSpecific(record, type);
    }
  }
}
