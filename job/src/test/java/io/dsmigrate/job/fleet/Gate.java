package io.dsmigrate.job.fleet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a dataset's rows until a test opens the gate, so that a run stays at a known step while
 * another one runs: a transform {@code WHERE db.gate_pass('name') = 'name'} ({@link GateFunction})
 * blocks each row of the job (local executors run in the test JVM).
 */
public final class Gate {
  private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

  private Gate() {}

  public static void close(String name) {
    GATES.put(name, new CountDownLatch(1));
  }

  public static void open(String name) {
    CountDownLatch gate = GATES.remove(name);
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Returns {@code name} once the gate is open (at most ten minutes later). */
  public static String pass(String name) throws InterruptedException {
    CountDownLatch gate = GATES.get(name);
    if (gate != null) {
      gate.await(10, TimeUnit.MINUTES);
    }
    return name;
  }
}
