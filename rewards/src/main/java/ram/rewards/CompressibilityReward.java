package ram.rewards;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import ram.rewards.image.ImageTensors;

/**
 * DDPO's JPEG compressibility task (Black et al. 2023): reward = -(size in kB, 1 kB = 1000 bytes,
 * of the image saved as JPEG at quality 95). Needs no weights and no prompt.
 *
 * <p>Java's JPEG encoder (ImageIO, JFIF) differs from PIL's in headers and tables, so values are
 * comparable within this project, not byte-for-byte with DDPO's.
 */
public final class CompressibilityReward extends PerSampleReward {

  public static final String NAME = "compressibility";
  public static final String VERSION = "1";
  /** JPEG quality, DDPO's 95. */
  public static final float QUALITY = 0.95f;

  public CompressibilityReward() {
    super(NAME, VERSION);
  }

  @Override
  protected double scoreOne(RewardInput in) {
    return -jpegBytes(in.data(), in.shape()) / 1000.0;
  }

  /** The size in bytes of the image tensor saved as JPEG at quality 95. */
  public static int jpegBytes(float[] data, int[] shape) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(QUALITY);
      writer.setOutput(out);
      writer.write(null, new IIOImage(ImageTensors.toImage(data, shape), null, null), param);
    } catch (IOException e) {
      throw new IllegalStateException("JPEG encoding failed: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return bytes.size();
  }
}
