package ram.runners;

import java.nio.file.Path;

import ram.runners.store.WriterLock;

/**
 * A second process for the lock tests: takes a directory's {@link WriterLock} as {@code ram train
 * toy2d} would, says "locked" on standard output, and holds it until killed.
 */
public final class HoldWriterLock {

  private HoldWriterLock() {}

  public static void main(String[] args) throws InterruptedException {
    WriterLock lock = WriterLock.acquire(Path.of(args[0]), args[1]);
    System.out.println("locked " + lock.dir());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
