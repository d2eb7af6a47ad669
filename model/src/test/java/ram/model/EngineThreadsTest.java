package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A thread count set after the engine started reaches the threads that compute afterwards. */
class EngineThreadsTest {

  private static int onNewThread() throws InterruptedException {
    AtomicInteger seen = new AtomicInteger();
    Thread worker = new Thread(() -> seen.set(EngineThreads.current()));
    worker.start();
    worker.join();
    return seen.get();
  }

  @Test
  void aCountSetAfterTheEngineStartedReachesNewThreads() throws InterruptedException {
    Devices.current(); // starts the engine, as every command does before it sets threads
    int before = EngineThreads.current();
    try {
      EngineThreads.set(1);
      assertEquals(1, onNewThread());
      EngineThreads.set(2);
      assertEquals(2, onNewThread());
    } finally {
      EngineThreads.set(before);
    }
  }

  @Test
  void aPooledThreadTakesANewCountWhenItComputes() throws Exception {
    int before = EngineThreads.current();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      EngineThreads.set(2);
      assertEquals(2, pool.submit(EngineThreads::current).get());
      EngineThreads.set(1);
      assertEquals(1, pool.submit(() -> {
        EngineThreads.onThisThread();
        return EngineThreads.current();
      }).get());
    } finally {
      pool.shutdownNow();
      EngineThreads.set(before);
    }
  }
}
