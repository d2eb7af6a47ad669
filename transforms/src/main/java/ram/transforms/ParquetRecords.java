package ram.transforms;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;

import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Reads the records of a Parquet file of the store outside a pipeline (the driver's metrics and
 * reports), through Beam's {@link FileSystems} so any store URI works; and writes one file from
 * inside a stage, for records too large to pass through a shuffle (Flow-GRPO's trajectories).
 */
public final class ParquetRecords {

  private ParquetRecords() {}

  /** Every record of every file matching {@code glob}, in file order. */
  public static List<GenericRecord> read(String glob) {
    List<GenericRecord> out = new ArrayList<>();
    for (String uri : StoreFiles.list(glob)) {
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new StoreInputFile(uri)).build()) {
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          out.add(r);
        }
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(uri + ": not a readable Parquet file: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * Every record of one stored file as the generated class {@code type}; a file that is not
   * Parquet, is truncated or corrupt, or holds another kind of record is an error naming it.
   */
  public static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAs(String uri, Class<T> type) {
    List<GenericRecord> records = read(uri);
    List<T> out = new ArrayList<>(records.size());
    for (GenericRecord r : records) {
      try {
        out.add(ReadRecords.toSpecific(r, type));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(uri + ": expected " + type.getSimpleName() + " records, found "
            + r.getSchema().getName() + " (" + e.getMessage() + ")", e);
      }
    }
    return out;
  }

  /**
   * Writes {@code records} as one Snappy-compressed Parquet file at {@code uri}, atomically (a
   * temporary name, then a rename), so a retried stage simply replaces it.
   */
  public static void writeAtomically(String uri, org.apache.avro.Schema schema, List<? extends GenericRecord> records) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      org.apache.beam.sdk.io.parquet.ParquetIO.Sink sink = org.apache.beam.sdk.io.parquet.ParquetIO.sink(schema)
          .withCompressionCodec(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY);
      sink.open(java.nio.channels.Channels.newChannel(bytes));
      for (GenericRecord r : records) {
        sink.write(r);
      }
      sink.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(uri + ": cannot encode Parquet", e);
    }
    StoreFiles.writeAtomically(uri, bytes.toByteArray());
  }

  /** A Parquet {@link InputFile} over a Beam filesystem channel. */
  private static final class StoreInputFile implements InputFile {
    private final String uri;

    StoreInputFile(String uri) {
      this.uri = uri;
    }

    @Override
    public long getLength() throws IOException {
      MatchResult.Metadata m = FileSystems.matchSingleFileSpec(uri);
      return m.sizeBytes();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      SeekableByteChannel channel = (SeekableByteChannel) FileSystems.open(FileSystems.matchNewResource(uri, false));
      return new DelegatingSeekableInputStream(java.nio.channels.Channels.newInputStream(channel)) {
        @Override
        public long getPos() throws IOException {
          return channel.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          channel.position(newPos);
        }

        @Override
        public int read(ByteBuffer buf) throws IOException {
          return channel.read(buf);
        }

        @Override
        public void close() throws IOException {
          channel.close();
        }
      };
    }
  }

}
