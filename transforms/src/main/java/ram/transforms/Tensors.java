package ram.transforms;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import ram.schemas.Tensor;

/** Converts between float arrays and the stored {@link Tensor} record (float32, little-endian). */
public final class Tensors {

  private Tensors() {}

  public static Tensor of(float[] data, int[] shape) {
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    List<Integer> s = new ArrayList<>();
    for (int d : shape) {
      s.add(d);
    }
    return Tensor.newBuilder().setShape(s).setDtype("float32le").setData(b).build();
  }

  public static float[] values(Tensor t) {
    if (!"float32le".equals(t.getDtype())) {
      throw new IllegalArgumentException("unsupported tensor dtype " + t.getDtype() + "; expected float32le");
    }
    ByteBuffer b = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.rewind();
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  public static int[] shape(Tensor t) {
    return t.getShape().stream().mapToInt(Integer::intValue).toArray();
  }

  /** What a reward sees of a sample: the decoded image where a latent model made it, otherwise the endpoint itself. */
  public static ram.schemas.Tensor image(ram.schemas.Sample sample) {
    return sample.getImage() != null ? sample.getImage() : sample.getEndpoint();
  }
}
