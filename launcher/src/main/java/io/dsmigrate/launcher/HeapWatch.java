package io.dsmigrate.launcher;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The driver's heap while a benchmark times something, from the JVM's own figures at every garbage
 * collection: the most it held in use (the heap pools together, just before a collection) and the
 * most that stayed in use after one (what was live: the figure that grows with the number of
 * datasets when memory is not flat).
 *
 * <pre>{@code
 * try (HeapWatch heap = HeapWatch.start()) {
 *   run();
 *   System.out.println(heap.describe());
 * }
 * }</pre>
 */
final class HeapWatch implements AutoCloseable {
  private final Set<String> heapPools;
  private final AtomicLong peakInUse = new AtomicLong();
  private final AtomicLong peakAfterCollection = new AtomicLong();
  private final List<Runnable> removals = new ArrayList<>();

  private HeapWatch() {
    heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
  }

  /** Starts watching (after a collection, so that earlier garbage does not count). */
  static HeapWatch start() {
    System.gc();
    HeapWatch watch = new HeapWatch();
    NotificationListener listener = watch::collected;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        watch.removals.add(
            () -> {
              try {
                emitter.removeNotificationListener(listener);
              } catch (javax.management.ListenerNotFoundException e) {
                // gone already
              }
            });
      }
    }
    return watch;
  }

  private void collected(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    var info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
            .getGcInfo();
    peakInUse.accumulateAndGet(heap(info.getMemoryUsageBeforeGc()), Math::max);
    peakAfterCollection.accumulateAndGet(heap(info.getMemoryUsageAfterGc()), Math::max);
  }

  private long heap(Map<String, MemoryUsage> pools) {
    return pools.entrySet().stream()
        .filter(e -> heapPools.contains(e.getKey()))
        .mapToLong(e -> e.getValue().getUsed())
        .sum();
  }

  /** The most the heap held in use so far (now included). */
  long peakInUse() {
    long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return Math.max(now, peakInUse.get());
  }

  /** The most that stayed in use after a collection so far. */
  long peakAfterCollection() {
    return peakAfterCollection.get();
  }

  /** One line: both figures and the heap's maximum, in MiB. */
  String describe() {
    return String.format(
        "driver heap: at most %d MiB in use, at most %d MiB still in use after a collection (max"
            + " heap %d MiB)",
        peakInUse() >> 20, peakAfterCollection() >> 20, Runtime.getRuntime().maxMemory() >> 20);
  }

  @Override
  public void close() {
    removals.forEach(Runnable::run);
  }
}
