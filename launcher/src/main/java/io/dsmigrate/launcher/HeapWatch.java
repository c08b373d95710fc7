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
 * The driver's heap while a benchmark times something: the most it held in use (the heap pools
 * together, just before each garbage collection, from the JVM's own figures), and what was live (in
 * use right after a full collection) before and after: the difference is what the work left in
 * memory, the figure that grows with the number of datasets when memory is not flat. (What a young
 * collection leaves is no measure of that: old garbage waits for a later cycle.)
 *
 * <pre>{@code
 * HeapWatch heap = HeapWatch.start();
 * run();
 * heap.close();                     // a full collection, then the live heap is read
 * System.out.println(heap.describe(datasets, "dataset"));
 * }</pre>
 */
final class HeapWatch implements AutoCloseable {
  private final Set<String> heapPools;
  private final AtomicLong peakInUse = new AtomicLong();
  private final List<Runnable> removals = new ArrayList<>();
  private long liveBefore;
  private long liveAfter = -1;

  private HeapWatch() {
    heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
  }

  /** Starts watching (after a collection, so that earlier garbage does not count). */
  static HeapWatch start() {
    HeapWatch watch = new HeapWatch();
    watch.liveBefore = live();
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
  }

  private long heap(Map<String, MemoryUsage> pools) {
    return pools.entrySet().stream()
        .filter(e -> heapPools.contains(e.getKey()))
        .mapToLong(e -> e.getValue().getUsed())
        .sum();
  }

  /** The most the heap held in use so far (now included, until closed). */
  long peakInUse() {
    if (liveAfter >= 0) {
      return peakInUse.get();
    }
    long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return Math.max(now, peakInUse.get());
  }

  /** The heap in use right after a full collection. */
  private static long live() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * One line: the most in use, the live heap before and after (and the difference per one of the
   * {@code count} items, e.g. {@code "dataset"}), and the heap's maximum, in MiB.
   */
  String describe(long count, String item) {
    long grown = liveAfter - liveBefore;
    return String.format(
        "driver heap: at most %d MiB in use; live %d MiB before, %d MiB after (%+.1f KiB per %s);"
            + " max heap %d MiB",
        peakInUse() >> 20,
        liveBefore >> 20,
        liveAfter >> 20,
        grown / 1024.0 / Math.max(1, count),
        item,
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /** Stops watching, and reads the live heap after the work (a full collection). */
  @Override
  public void close() {
    long peak = peakInUse();
    removals.forEach(Runnable::run);
    peakInUse.set(peak);
    liveAfter = live();
  }
}
