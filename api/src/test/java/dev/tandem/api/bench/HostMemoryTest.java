package dev.tandem.api.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostMemoryTest {
  @Test
  void readsTheHugePageTunableAsGlibcDoesTheLastSettingCounting() {
    assertFalse(HostMemory.hugePagesRequested(null));
    assertFalse(HostMemory.hugePagesRequested(""));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.arena_max=2"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=1"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=0"));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1"));
  }

  @Test
  void peakRssIsMeasuredOnLinux() {
    if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
      assertTrue(HostMemory.peakRssBytes() > 1 << 20, "a JVM holds more than a MiB");
    }
  }

  @Test
  void aResetPeakIsThePeakOfWhatRunsAfterIt() throws InterruptedException {
    org.junit.jupiter.api.Assumptions.assumeTrue(HostMemory.rssBytes() > 0, "no /proc/self/status");
    long rss0 = HostMemory.rssBytes();
    java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(256 << 20);
    for (int i = 0; i < big.capacity(); i += 4096) {
      big.put(i, (byte) 1);
    }
    long high = HostMemory.peakRssBytes();
    assertTrue(high >= rss0 + (200L << 20), "touching 256 MiB raises the peak: " + rss0 + " -> " + high);
    big = null;
    for (int i = 0; i < 50 && HostMemory.rssBytes() > high - (128L << 20); i++) {
      System.gc();
      Thread.sleep(100);
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(HostMemory.rssBytes() < high - (128L << 20), "the buffer was not freed");
    org.junit.jupiter.api.Assumptions.assumeTrue(HostMemory.resetPeakRss(), "the kernel does not reset VmHWM");
    long after = HostMemory.peakRssBytes();
    assertTrue(after < high - (128L << 20), "the peak forgets the freed buffer: " + high + " -> " + after);
    assertTrue(after >= HostMemory.rssBytes() - (16L << 20), "and is at least what is resident now");
  }
}
