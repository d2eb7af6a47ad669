package ram.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Everything that evolves during post-training: the policy {@code theta}, the lagged policy
 * (EMA), and the optimizer state. The frozen reference is not part of it; it is the base
 * checkpoint the run names.
 *
 * @param epoch the last completed epoch (0 = the base, before any update)
 */
public record TrainingState(int epoch, ParameterSet theta, ParameterSet ema, Optimizer.State optimizer) {

  /** The state before epoch 1: theta and EMA equal the base; optimizer moments zero. */
  public static TrainingState fromBase(ParameterSet base) {
    return new TrainingState(0, base.copy(), base.copy(), Optimizer.State.zerosLike(base));
  }

  /** One byte string with every part, for passing between pipeline stages. */
  public byte[] toBytes() {
    byte[][] parts = {theta.toBytes(), ema.toBytes(), optimizer.firstMoment().toBytes(), optimizer.secondMoment().toBytes()};
    long size = 12 + 4L * parts.length + java.util.Arrays.stream(parts).mapToLong(b -> b.length).sum();
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.toIntExact(size));
        DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(epoch);
      out.writeLong(optimizer.step());
      for (byte[] b : parts) {
        out.writeInt(b.length);
        out.write(b);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TrainingState fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int epoch = in.readInt();
      long step = in.readLong();
      ParameterSet[] parts = new ParameterSet[4];
      for (int i = 0; i < parts.length; i++) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        parts[i] = ParameterSet.fromBytes(b);
      }
      return new TrainingState(epoch, parts[0], parts[1], new Optimizer.State(parts[2], parts[3], step));
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated training state: " + e, e);
    }
  }
}
